import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@loyalty/platform';
import { TerminalKeysQuery } from './terminals/terminal-keys.query';
import { PosIngestConfig } from './config';
import { JOBS_TABLE, OUTBOX_TABLE, posIngestDatabase } from './database/data-source';
import { HouseholdsModule } from './households/households.module';
import { IntakeModule } from './intake/intake.module';
import { ProfileFactsModule } from './profiles/profile-facts.module';
import { TerminalsModule } from './terminals/terminals.module';
import { TransactionsModule } from './transactions/transactions.module';

@Module({})
export class AppModule {
  static register(config: PosIngestConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          config,
          database: posIngestDatabase,
          outboxTable: OUTBOX_TABLE,
          jobsTable: JOBS_TABLE,
          terminalKeys: TerminalKeysQuery,
        }),
        HouseholdsModule,
        IntakeModule,
        ProfileFactsModule,
        TerminalsModule,
        TransactionsModule,
      ],
    };
  }
}
