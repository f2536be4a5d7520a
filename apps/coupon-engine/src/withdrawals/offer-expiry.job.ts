import { Injectable, Logger } from '@nestjs/common';
import { Job, JobContext, JobSchedule } from '@loyalty/platform';
import { OutboxRelay } from '@loyalty/kafka';
import { DataSource } from 'typeorm';
import { OfferWithdrawalQueries } from './offer-withdrawals.queries';

// Offers expired (and events written) per transaction: a backlog of millions moves in steps
// that each hold their locks briefly.
const CHUNK = 10_000;

/**
 * Every minute, expires the offers whose validity ended by the run's minute, in chunks of
 * `CHUNK`, one transaction each with its outbox rows; one process wins each minute's run.
 */
@Injectable()
export class OfferExpiryJob implements Job {
  readonly name = 'offer-expiry';
  readonly schedule: JobSchedule = { everyMinutes: 1 };
  private readonly logger = new Logger(OfferExpiryJob.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: OfferWithdrawalQueries,
    private readonly relay: OutboxRelay,
  ) {}

  async run(context: JobContext): Promise<void> {
    const now = new Date(context.period);
    if (Number.isNaN(now.getTime())) throw new Error(`Period ${context.period} is no instant`);
    let expired = 0;
    for (;;) {
      const chunk = await this.dataSource.transaction(async (m) => {
        const count = await this.queries.expireDue(m, now, CHUNK);
        await context.checkpoint(m, String(expired + count));
        return count;
      });
      expired += chunk;
      if (chunk > 0) this.relay.wake();
      if (chunk < CHUNK) break;
    }
    if (expired > 0) this.logger.log(`Expired ${expired} offers valid until ${context.period}`);
  }
}
