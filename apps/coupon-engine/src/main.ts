import { runHttpApp } from '@loyalty/platform';
import { AppModule } from './app.module';
import { CouponEngineConfig } from './config';

runHttpApp(CouponEngineConfig, (config) => AppModule.register(config), {
  title: 'coupon-engine',
  description: 'Issues personal offers from coupon rules; serves health only.',
});
