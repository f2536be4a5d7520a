import { PlatformConfig } from '@loyalty/platform';

export class PosIngestConfig extends PlatformConfig {
  override PORT = 3001;
  override APP_NAME = 'pos-ingest';
}
