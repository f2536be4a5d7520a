import { runHttpApp } from '@loyalty/platform';
import { AppModule } from './app.module';
import { LoyaltyApiConfig } from './config';

runHttpApp(LoyaltyApiConfig, (config) => AppModule.register(config), {
  title: 'loyalty-api',
  description: 'Checkout quote and redemption for POS terminals; coupon rules for marketing staff.',
});
