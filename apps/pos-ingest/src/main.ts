import { createHttpApp, loadConfig } from '@loyalty/platform';
import { AppModule } from './app.module';
import { PosIngestConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig(PosIngestConfig);
  const app = await createHttpApp(AppModule.register(config), {
    title: 'pos-ingest',
    description: 'POS transaction intake: terminals post finished transactions here.',
  });
  await app.listen(config.PORT, '0.0.0.0');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
