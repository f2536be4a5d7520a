import { Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { TOPICS, TransactionRecordedV1 } from '@loyalty/domain';
import { EventConsumer, EventProducer, PoisonMessageError } from '@loyalty/kafka';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Kafka } from 'kafkajs';
import { fieldErrors } from '@loyalty/platform';
import { RecordTransactionDto } from '../intake/record-transaction.dto';
import { ProjectionService } from './projection.service';

export const PROJECTOR_GROUP = 'pos-ingest.projector';

/** The message must satisfy the same contract the HTTP intake checks. */
export function parseTransactionRecorded(value: Buffer | null): TransactionRecordedV1 {
  let json: unknown;
  try {
    json = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    throw new PoisonMessageError('value is not JSON');
  }
  const { receivedAt, ...transaction } = (json ?? {}) as Record<string, unknown>;
  const errors = fieldErrors(validateSync(plainToInstance(RecordTransactionDto, transaction), { forbidUnknownValues: true }));
  if (typeof receivedAt !== 'string' || Number.isNaN(Date.parse(receivedAt))) {
    errors.push({ field: 'receivedAt', messages: ['receivedAt must be a date-time'] });
  }
  if (errors.length > 0) {
    throw new PoisonMessageError(errors.map((e) => `${e.field}: ${e.messages.join(', ')}`).join('; '));
  }
  return json as TransactionRecordedV1;
}

@Injectable()
export class TransactionsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<TransactionRecordedV1>;

  constructor(kafka: Kafka, producer: EventProducer, projection: ProjectionService) {
    this.consumer = new EventConsumer(kafka, producer, {
      groupId: PROJECTOR_GROUP,
      topic: TOPICS.transactionRecorded,
      parse: parseTransactionRecorded,
      handle: async (tx) => {
        await projection.project(tx, new Date());
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
