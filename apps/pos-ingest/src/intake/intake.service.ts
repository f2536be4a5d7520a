import { Injectable } from '@nestjs/common';
import { TOPICS, TransactionRecordedV1, WrongStoreError } from '@loyalty/domain';
import { EventProducer } from '@loyalty/kafka';
import { Terminal } from '@loyalty/platform';
import { RecordTransactionDto } from './record-transaction.dto';

@Injectable()
export class IntakeService {
  constructor(private readonly producer: EventProducer) {}

  /** Resolves once every in-sync replica has the transaction: only then may the POS forget it. */
  async accept(terminal: Terminal, dto: RecordTransactionDto, receivedAt: Date): Promise<void> {
    if (dto.storeId !== terminal.storeId) {
      throw new WrongStoreError(`This terminal is bound to store ${terminal.storeId}`, 'storeId');
    }
    const event: TransactionRecordedV1 = { ...dto, receivedAt: receivedAt.toISOString() };
    await this.producer.send(TOPICS.transactionRecorded, [{ key: dto.cardNumber, value: event }]);
  }
}
