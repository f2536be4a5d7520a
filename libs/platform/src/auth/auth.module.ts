import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PlatformConfig } from '../config/platform-config';

export const JWT_ISSUER = 'loyalty-platform';

// Token signing and verification for the guard (installed by PlatformModule on every route).
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
  exports: [JwtModule],
})
export class AuthModule {}
