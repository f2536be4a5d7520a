import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  TOPICS,
  TransactionRecordedV1,
  WrongStoreError,
  WrongTerminalError,
} from '@loyalty/domain';
import { EventProducer } from '@loyalty/kafka';
import { DeadlineExceededError, Terminal, withDeadline } from '@loyalty/platform';
import { KafkaJSError } from 'kafkajs';
import { RecordTransactionDto } from './record-transaction.dto';

/** The lane's budget for a transaction post: it gets 202 or 503 within this. */
const SEND_DEADLINE_MS = 3_000;

@Injectable()
export class IntakeService {
  constructor(private readonly producer: EventProducer) {}

  /** Resolves once every in-sync replica has the transaction: only then may the POS forget it. */
  async accept(terminal: Terminal, dto: RecordTransactionDto, receivedAt: Date): Promise<void> {
    if (dto.storeId !== terminal.storeId) {
      throw new WrongStoreError(`This terminal is bound to store ${terminal.storeId}`, 'storeId');
    }
    if (dto.terminalId !== terminal.terminalId) {
      throw new WrongTerminalError(
        `This API key belongs to terminal ${terminal.terminalId}`,
        'terminalId',
      );
    }
    const event: TransactionRecordedV1 = { ...dto, receivedAt: receivedAt.toISOString() };
    try {
      const send = this.producer.send(TOPICS.transactionRecorded, [
        { key: dto.cardNumber, value: event },
      ]);
      await withDeadline(send, SEND_DEADLINE_MS, 'Kafka');
    } catch (error) {
      // Not confirmed in time: the POS keeps the sale and retries. Should the send still land, the
      // retry is a duplicate, which the projector ignores (idempotent by store and POS id).
      if (error instanceof KafkaJSError || error instanceof DeadlineExceededError) {
        throw new ServiceUnavailableException({
          code: 'INTAKE_UNAVAILABLE',
          message: 'The transaction was not accepted; keep it and retry',
        });
      }
      throw error;
    }
  }
}
