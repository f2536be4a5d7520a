import { BadRequestException, Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  PosTransaction,
  TOPICS,
  TransactionIdReusedError,
  Violation,
  transactionKey,
  WrongStoreError,
  WrongTerminalError,
  validateTransaction,
} from '@loyalty/domain';
import { EventProducer } from '@loyalty/kafka';
import { DeadlineExceededError, Terminal, fieldErrors, withDeadline } from '@loyalty/platform';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { KafkaJSError } from 'kafkajs';
import { PosIngestConfig } from '../config';
import { canonicalJson, transactionRecordedJson } from './canonical-json';
import { IntakeReceiptsQuery, bodyHash } from './intake-receipts.query';
import { BulkLineResultDto, BulkResultDto, RecordTransactionDto } from './record-transaction.dto';
import { isRecordTransaction, toRecordTransactionDto } from './record-transaction.schema';

/** The lane's budget for a transaction post: it gets 202 or 503 within this. */
const SEND_DEADLINE_MS = 3_000;
/** A bulk upload (a terminal back online) may take longer, in sends of this many messages. */
const BULK_DEADLINE_MS = 30_000;
const BULK_SEND_SIZE = 500;

/** The Kafka key: the card, so one shopper's transactions stay in order; the store for anonymous sales. */
export function transactionMessageKey(tx: Pick<PosTransaction, 'cardNumber' | 'storeId'>): string {
  return tx.cardNumber ?? `store:${tx.storeId}`;
}

const REUSED = 'This POS transaction id was already used in this store for a different transaction';

/** A transaction that passed every check, with its canonical JSON. */
interface Checked {
  tx: PosTransaction;
  json: string;
}

function cardDataIn(violations: readonly Violation[]): boolean {
  return violations.some((v) => v.rule === 'noPaymentCardData');
}

@Injectable()
export class IntakeService {
  constructor(
    private readonly producer: EventProducer,
    private readonly receipts: IntakeReceiptsQuery,
    private readonly config: PosIngestConfig,
  ) {}

  /** Resolves once every in-sync replica has the transaction: only then may the POS forget it. */
  async accept(terminal: Terminal, tx: PosTransaction, receivedAt: Date): Promise<void> {
    this.assertActsForItself(terminal, tx);
    const violations = validateTransaction(tx, receivedAt, this.config.transactionRules);
    if (violations.length > 0) {
      throw new BadRequestException({
        code: cardDataIn(violations) ? 'PAYMENT_CARD_DATA' : 'VALIDATION_FAILED',
        message: violations.map((v) => v.message).join('; '),
        errors: violations.map((v) => ({ field: v.field, messages: [v.message], rule: v.rule })),
      });
    }
    const checked = { tx, json: canonicalJson(tx) };
    // A retry with the same body is produced again (harmless: the projector ignores duplicates).
    if ((await this.reusedIds([checked])).size > 0) {
      throw new TransactionIdReusedError(REUSED, 'posTransactionId');
    }
    await this.produce([checked], receivedAt, SEND_DEADLINE_MS);
  }

  /**
   * A stream of transactions, one JSON object per line (NDJSON), as a terminal back online sends
   * its buffer. Each line is judged alone; the good ones are produced together and the answer
   * lists every line's fate. A line already sent before is accepted again, without a second effect.
   */
  async acceptBulk(terminal: Terminal, ndjson: string, receivedAt: Date): Promise<BulkResultDto> {
    const judged = ndjson
      .split('\n')
      .map((text, index) => ({ line: index + 1, text }))
      .filter(({ text }) => text.trim() !== '')
      .map(({ line, text }) => ({ line, outcome: this.judgeLine(terminal, text, receivedAt) }));
    const valid = judged.flatMap(({ outcome }) =>
      'tx' in outcome ? [{ tx: outcome.tx, json: canonicalJson(outcome.tx) }] : [],
    );
    const reused = await this.reusedIds(valid);
    const accepted = valid.filter(({ tx }) => !reused.has(tx));
    for (let i = 0; i < accepted.length; i += BULK_SEND_SIZE) {
      await this.produce(accepted.slice(i, i + BULK_SEND_SIZE), receivedAt, BULK_DEADLINE_MS);
    }
    const results: BulkLineResultDto[] = judged.map(({ line, outcome }) => {
      if (!('tx' in outcome)) return { line, status: 'rejected', ...outcome };
      const posTransactionId = outcome.tx.posTransactionId;
      return reused.has(outcome.tx)
        ? {
            line,
            posTransactionId,
            status: 'rejected',
            code: 'TRANSACTION_ID_REUSED',
            errors: [{ field: 'posTransactionId', messages: [REUSED] }],
          }
        : { line, posTransactionId, status: 'accepted' };
    });
    return { accepted: accepted.length, rejected: results.length - accepted.length, results };
  }

  /** Transactions whose store and id were accepted before, or earlier in this upload, with another body. */
  private async reusedIds(checked: readonly Checked[]): Promise<Set<PosTransaction>> {
    const hashed = checked.map(({ tx, json }) => ({ tx, hash: bodyHash(json) }));
    const checks = await this.receipts.record(hashed);
    const firstBody = new Map<string, string>();
    const reused = new Set<PosTransaction>();
    for (const { tx, hash } of hashed) {
      const key = transactionKey(tx);
      if (checks.get(key) === 'different' || (firstBody.get(key) ?? hash) !== hash) reused.add(tx);
      if (!firstBody.has(key)) firstBody.set(key, hash);
    }
    return reused;
  }

  private judgeLine(
    terminal: Terminal,
    text: string,
    receivedAt: Date,
  ): { tx: PosTransaction } | Pick<BulkLineResultDto, 'code' | 'errors' | 'posTransactionId'> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { code: 'INVALID_JSON', errors: [{ field: '', messages: ['the line is not JSON'] }] };
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return {
        code: 'INVALID_JSON',
        errors: [{ field: '', messages: ['the line is not a JSON object'] }],
      };
    }
    // The compiled contract accepts most lines at once; class-validator judges (and words) the rest.
    const fast = isRecordTransaction(json);
    const dto = fast
      ? toRecordTransactionDto(json as RecordTransactionDto)
      : plainToInstance(RecordTransactionDto, json);
    const posTransactionId =
      typeof dto.posTransactionId === 'string' ? dto.posTransactionId : undefined;
    const shapeErrors = fast
      ? []
      : fieldErrors(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
    if (shapeErrors.length > 0)
      return { posTransactionId, code: 'VALIDATION_FAILED', errors: shapeErrors };
    try {
      this.assertActsForItself(terminal, dto);
    } catch (error) {
      const refusal = error as WrongStoreError;
      return {
        posTransactionId,
        code: refusal.code,
        errors: [{ field: refusal.field ?? '', messages: [refusal.message] }],
      };
    }
    const violations = validateTransaction(dto, receivedAt, this.config.transactionRules);
    if (violations.length > 0) {
      return {
        posTransactionId,
        code: cardDataIn(violations) ? 'PAYMENT_CARD_DATA' : 'VALIDATION_FAILED',
        errors: violations.map((v) => ({ field: v.field, messages: [v.message] })),
      };
    }
    return { tx: dto };
  }

  private assertActsForItself(terminal: Terminal, tx: PosTransaction): void {
    if (tx.storeId !== terminal.storeId) {
      throw new WrongStoreError(`This terminal is bound to store ${terminal.storeId}`, 'storeId');
    }
    if (tx.terminalId !== terminal.terminalId) {
      throw new WrongTerminalError(
        `This API key belongs to terminal ${terminal.terminalId}`,
        'terminalId',
      );
    }
  }

  private async produce(
    checked: readonly Checked[],
    receivedAt: Date,
    deadlineMs: number,
  ): Promise<void> {
    const messages = checked.map(({ tx, json }) => ({
      key: transactionMessageKey(tx),
      value: transactionRecordedJson(json, receivedAt),
    }));
    try {
      await withDeadline(
        this.producer.sendRaw(TOPICS.transactionRecorded, messages),
        deadlineMs,
        'Kafka',
      );
    } catch (error) {
      // Not confirmed in time: the POS keeps its sales and retries. Should a send still land, the
      // retry is a duplicate, which the projector ignores (idempotent by store and POS id).
      if (error instanceof KafkaJSError || error instanceof DeadlineExceededError) {
        throw new ServiceUnavailableException({
          code: 'INTAKE_UNAVAILABLE',
          message: 'The transactions were not accepted; keep them and retry',
        });
      }
      throw error;
    }
  }
}
