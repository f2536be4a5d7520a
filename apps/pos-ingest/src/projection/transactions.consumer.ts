import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { TOPICS, TransactionRecordedV1 } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { TransactionRecordedDto } from '../intake/record-transaction.dto';
import { isTransactionRecorded } from '../intake/record-transaction.schema';
import { PosIngestConfig } from '../config';
import { ProjectionService } from './projection.service';

@Injectable()
export class TransactionsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TransactionsConsumer.name);
  private readonly consumer: EventConsumer<TransactionRecordedV1>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    projection: ProjectionService,
    private readonly config: PosIngestConfig,
  ) {
    this.consumer = new EventConsumer(kafka, producer, {
      groupId: config.PROJECTOR_GROUP_ID,
      topic: TOPICS.transactionRecorded,
      sessionTimeoutMs: config.PROJECTOR_SESSION_TIMEOUT_MS,
      // The message must satisfy the same contract the HTTP intake checks.
      parse: (value) =>
        parseMessage(
          TransactionRecordedDto,
          value,
          (json) => isTransactionRecorded(json) as boolean,
        ) as TransactionRecordedV1,
      handleBatch: async (batch) => {
        const { projected, duplicates } = await projection.projectBatch(batch, new Date());
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
