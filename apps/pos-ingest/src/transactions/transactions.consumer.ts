import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { TOPICS, TransactionRecordedV1 } from '@loyalty/domain';
import { EventConsumer, EventProducer, PoisonMessageError } from '@loyalty/kafka';
import { parseJsonObject } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { parseTransactionRecorded } from './parse-transaction';
import { PosIngestConfig } from '../config';
import { ProfileFactsRefresher } from '../profiles/profile-facts.refresher';
import { ProjectionService } from './projection.service';

@Injectable()
export class TransactionsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TransactionsConsumer.name);
  private readonly consumer: EventConsumer<TransactionRecordedV1>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    projection: ProjectionService,
    refresher: ProfileFactsRefresher,
    private readonly config: PosIngestConfig,
  ) {
    this.consumer = new EventConsumer(kafka, producer, {
      groupId: config.PROJECTOR_GROUP_ID,
      topic: TOPICS.transactionRecorded,
      sessionTimeoutMs: config.PROJECTOR_SESSION_TIMEOUT_MS,
      // The same judge as the HTTP intake's, at the time the intake received the transaction.
      parse: (value) => {
        const parsed = parseTransactionRecorded(parseJsonObject(value), config.transactionRules);
        if (parsed.ok) return parsed.tx;
        throw new PoisonMessageError(
          `${parsed.code}: ${parsed.errors.map((e) => `${e.field} ${e.messages.join(', ')}`).join('; ')}`,
        );
      },
      handleBatch: async (batch, { lag }) => {
        const { projected, duplicates, households } = await projection.projectBatch(
          batch,
          new Date(),
        );
        // Near the partition's end the swipes are live and refreshed at once; a batch of a
        // catch-up or a replay, with much of the partition still to read, is left to the recent
        // profile facts job: refreshing every batch of a backlog would slow the catch-up.
        if (lag <= config.PROFILE_REFRESH_MAX_LAG) refresher.refreshSoon(households);
        // Duplicates are redeliveries (a rebalance, a crash before the offset commit, a retry).
        this.logger.debug({ projected, duplicates }, 'Projected batch');
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.PROJECTOR_ENABLED === 'true') await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
