import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { Terminal } from '@loyalty/platform';
import { PosIngestConfig } from '../config';
import { IntakeController } from './intake.controller';
import { IntakeReceiptsPruner } from './intake-receipts.pruner';
import { IntakeReceiptsQuery } from './intake-receipts.query';
import { IntakeService } from './intake.service';
import { NdjsonParser } from './ndjson.parser';

@Module({
  imports: [
    // Per store, not per caller: a store's lanes share its allowance (429 with Retry-After beyond).
    ThrottlerModule.forRootAsync({
      inject: [PosIngestConfig],
      useFactory: (config: PosIngestConfig) => ({
        throttlers: [{ ttl: 60_000, limit: config.STORE_REQUESTS_PER_MINUTE }],
        // The auth guard ran first: every request here comes from an authenticated terminal.
        getTracker: (req: Record<string, unknown>) => (req.terminal as Terminal).storeId,
        // One allowance per store for single and bulk posts alike (the default key is per route).
        generateKey: (_context, tracker, throttler) => `${throttler}:${tracker}`,
      }),
    }),
  ],
  controllers: [IntakeController],
  providers: [IntakeReceiptsPruner, IntakeReceiptsQuery, IntakeService, NdjsonParser],
})
export class IntakeModule {}
