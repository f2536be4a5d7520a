import { createHttpApp, loadConfig } from '@loyalty/platform';
import { AppModule } from './app.module';
import { LoyaltyApiConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig(LoyaltyApiConfig);
  const app = await createHttpApp(AppModule.register(config), {
    title: 'loyalty-api',
    description: 'Checkout quote and redemption for POS terminals; coupon rules for marketing staff.',
  });
  await app.listen(config.PORT, '0.0.0.0');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
