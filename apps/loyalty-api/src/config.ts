import { PlatformConfig } from '@loyalty/platform';

export class LoyaltyApiConfig extends PlatformConfig {
  override PORT = 3000;
  override APP_NAME = 'loyalty-api';
}
