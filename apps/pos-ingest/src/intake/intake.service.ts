import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  TOPICS,
  TransactionRecordedV1,
  WrongStoreError,
  WrongTerminalError,
} from '@loyalty/domain';
import { EventProducer } from '@loyalty/kafka';
import { Terminal } from '@loyalty/platform';
import { KafkaJSError } from 'kafkajs';
import { RecordTransactionDto } from './record-transaction.dto';

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
      await this.producer.send(TOPICS.transactionRecorded, [{ key: dto.cardNumber, value: event }]);
    } catch (error) {
      // The broker did not confirm within the bounded send: the POS keeps the sale and retries.
      if (error instanceof KafkaJSError) {
        throw new ServiceUnavailableException({
          code: 'INTAKE_UNAVAILABLE',
          message: 'The transaction was not accepted; keep it and retry',
        });
      }
      throw error;
    }
  }
}
