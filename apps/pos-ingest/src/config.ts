import { PlatformConfig } from '@loyalty/platform';
import { IsIn } from 'class-validator';

export class PosIngestConfig extends PlatformConfig {
  override PORT = 3001;
  override APP_NAME = 'pos-ingest';

  // Intake and projector scale apart: a process may run only the HTTP intake.
  @IsIn(['true', 'false'], { message: 'PROJECTOR_ENABLED must be true or false' })
  PROJECTOR_ENABLED: 'true' | 'false' = 'true';
}
