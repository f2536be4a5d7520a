import { PlatformConfig } from '@loyalty/platform';

export class CouponEngineConfig extends PlatformConfig {
  override PORT = 3002;
  override APP_NAME = 'coupon-engine';
}
