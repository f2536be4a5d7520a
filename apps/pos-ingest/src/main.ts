import { runHttpApp } from '@loyalty/platform';
import { AppModule } from './app.module';
import { PosIngestConfig } from './config';

runHttpApp(PosIngestConfig, (config) => AppModule.register(config), {
  title: 'pos-ingest',
  description: 'POS transaction intake: terminals post finished transactions here.',
});
