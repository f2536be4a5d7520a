import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PlatformConfig } from '../config/platform-config';
import { AuthGuard } from './auth.guard';

export const JWT_ISSUER = 'loyalty-platform';

// Installs the guard for every route of the app: a route is closed unless it declares who may call it.
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [PlatformConfig],
      useFactory: (config: PlatformConfig) => ({
        secret: config.JWT_SECRET,
        signOptions: { issuer: JWT_ISSUER, algorithm: 'HS256' },
        verifyOptions: { issuer: JWT_ISSUER, algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
  exports: [JwtModule],
})
export class AuthModule {}
