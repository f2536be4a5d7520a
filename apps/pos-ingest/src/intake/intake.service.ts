import { BadRequestException, Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  PosTransaction,
  TOPICS,
  TransactionRecordedV1,
  WrongStoreError,
  WrongTerminalError,
  validateTransaction,
} from '@loyalty/domain';
import { EventProducer } from '@loyalty/kafka';
import { DeadlineExceededError, Terminal, withDeadline } from '@loyalty/platform';
import { KafkaJSError } from 'kafkajs';
import { PosIngestConfig } from '../config';

/** The lane's budget for a transaction post: it gets 202 or 503 within this. */
const SEND_DEADLINE_MS = 3_000;

/** The Kafka key: the card, so one shopper's transactions stay in order; the store for anonymous sales. */
export function transactionMessageKey(tx: Pick<PosTransaction, 'cardNumber' | 'storeId'>): string {
  return tx.cardNumber ?? `store:${tx.storeId}`;
}

@Injectable()
export class IntakeService {
  constructor(
    private readonly producer: EventProducer,
    private readonly config: PosIngestConfig,
  ) {}

  /** Resolves once every in-sync replica has the transaction: only then may the POS forget it. */
  async accept(terminal: Terminal, tx: PosTransaction, receivedAt: Date): Promise<void> {
    if (tx.storeId !== terminal.storeId) {
      throw new WrongStoreError(`This terminal is bound to store ${terminal.storeId}`, 'storeId');
    }
    if (tx.terminalId !== terminal.terminalId) {
      throw new WrongTerminalError(
        `This API key belongs to terminal ${terminal.terminalId}`,
        'terminalId',
      );
    }
    const violations = validateTransaction(tx, receivedAt, this.config.transactionRules);
    if (violations.length > 0) {
      const cardData = violations.some((v) => v.rule === 'noPaymentCardData');
      throw new BadRequestException({
        code: cardData ? 'PAYMENT_CARD_DATA' : 'VALIDATION_FAILED',
        message: violations.map((v) => v.message).join('; '),
        errors: violations.map((v) => ({ field: v.field, messages: [v.message], rule: v.rule })),
      });
    }
    const event: TransactionRecordedV1 = { ...tx, receivedAt: receivedAt.toISOString() };
    try {
      const send = this.producer.send(TOPICS.transactionRecorded, [
        { key: transactionMessageKey(tx), value: event },
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
