import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../config';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Rows per DELETE: short statements, so the intake's inserts never wait long. */
const CHUNK = 10_000;

/**
 * Deletes intake receipts older than INTAKE_RECEIPT_RETENTION_DAYS, hourly. Several processes may
 * prune at once: a row deleted twice is deleted once.
 */
@Injectable()
export class IntakeReceiptsPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IntakeReceiptsPruner.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: PosIngestConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.prune(new Date()).catch((error: Error) =>
        this.logger.warn({ error: error.message }, 'Pruning intake receipts failed; next hour'),
      );
    }, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes the receipts older than the retention at `now`; returns how many. */
  async prune(now: Date): Promise<number> {
    const before = new Date(now.getTime() - this.config.INTAKE_RECEIPT_RETENTION_DAYS * 86_400_000);
    let deleted = 0;
    for (;;) {
      const [, count]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM ingest.intake_receipts WHERE ctid = ANY (ARRAY(
           SELECT ctid FROM ingest.intake_receipts WHERE received_at < $1 LIMIT ${CHUNK}))`,
        [before],
      );
      deleted += count;
      if (count < CHUNK) break;
    }
    if (deleted > 0) this.logger.log({ deleted, before }, 'Pruned intake receipts');
    return deleted;
  }
}
