import {
  BadRequestException,
  Injectable,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  PosTransaction,
  TOPICS,
  TransactionIdReusedError,
  transactionKey,
  WrongStoreError,
  WrongTerminalError,
} from '@loyalty/domain';
import { EventProducer } from '@loyalty/kafka';
import { DeadlineExceededError, FieldError, Terminal, withDeadline } from '@loyalty/platform';
import { KafkaJSError } from 'kafkajs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { PosIngestConfig } from '../config';
import { canonicalJson, transactionRecordedJson } from '../transactions/canonical-json';
import { Parsed, TransactionRefusal, parseTransaction } from '../transactions/parse-transaction';
import { IntakeReceiptsQuery, bodyHash } from './intake-receipts.query';
import { BulkLineResultDto, BulkResultDto } from './intake.dto';

/** The lane's budget for a transaction post: it gets 202 or 503 within this. */
const SEND_DEADLINE_MS = 3_000;
/** A bulk upload (a terminal back online) may take longer, in sends of this many messages. */
const BULK_DEADLINE_MS = 30_000;
// Small enough that encoding one send holds the event loop for a few milliseconds only.
const BULK_SEND_SIZE = 250;
/** Transactions one bulk upload may carry; a terminal with more sends several uploads. */
export const MAX_BULK_LINES = 2_000;
/** Text judged between two yields to the event loop (about 5 ms of work), so other requests go on. */
const BULK_CHARS_PER_TURN = 128 * 1024;
/** Fields named per refused bulk line: enough to fix it, and the answer stays small. */
const MAX_LINE_ERRORS = 5;

/** The Kafka key: the card, so one shopper's transactions stay in order; the store for anonymous sales. */
export function transactionMessageKey(tx: Pick<PosTransaction, 'cardNumber' | 'storeId'>): string {
  return tx.cardNumber ?? `store:${tx.storeId}`;
}

const REUSED = 'This POS transaction id was already used in this store for a different transaction';

/** A bulk line's fate: the contract's verdict, or a refusal for acting for another store or lane. */
type LineOutcome = Parsed<PosTransaction> | { ok: false; code: string; errors: FieldError[] };

function invalidJson(message: string): TransactionRefusal {
  return { ok: false, code: 'INVALID_JSON', errors: [{ field: '', messages: [message] }] };
}

/** The 400 for a refused transaction: its code and every bad field by path. */
function refusalBody({ code, errors }: TransactionRefusal) {
  return {
    code,
    message: errors.map((e) => `${e.field || 'body'} ${e.messages.join(', ')}`).join('; '),
    errors,
  };
}

/** A transaction that passed every check, with its canonical JSON. */
interface Checked {
  tx: PosTransaction;
  json: string;
  /** SHA-256 of `json`, what the intake receipts keep. */
  hash: string;
}

function checked(tx: PosTransaction): Checked {
  const json = canonicalJson(tx);
  return { tx, json, hash: bodyHash(json) };
}

@Injectable()
export class IntakeService {
  constructor(
    private readonly producer: EventProducer,
    private readonly receipts: IntakeReceiptsQuery,
    private readonly config: PosIngestConfig,
  ) {}

  /** Resolves once every in-sync replica has the transaction: only then may the POS forget it. */
  async accept(terminal: Terminal, body: unknown, receivedAt: Date): Promise<PosTransaction> {
    const parsed = parseTransaction(body, receivedAt, this.config.transactionRules);
    if (!parsed.ok) throw new BadRequestException(refusalBody(parsed));
    const tx = parsed.tx;
    this.assertActsForItself(terminal, tx);
    const one = checked(tx);
    // A retry with the same body is produced again (harmless: the projector ignores duplicates).
    if ((await this.reusedIds([one])).size > 0) {
      throw new TransactionIdReusedError(REUSED, 'posTransactionId');
    }
    await this.produce([one], receivedAt, SEND_DEADLINE_MS);
    return tx;
  }

  /**
   * A stream of transactions, one JSON object per line (NDJSON), as a terminal back online sends
   * its buffer. Each line is judged alone; the good ones are produced together and the answer
   * lists every line's fate. A line already sent before is accepted again, without a second effect.
   */
  async acceptBulk(terminal: Terminal, ndjson: string, receivedAt: Date): Promise<BulkResultDto> {
    const lines = ndjson
      .split('\n')
      .map((text, index) => ({ line: index + 1, text }))
      .filter(({ text }) => text.trim() !== '');
    if (lines.length > MAX_BULK_LINES) {
      throw new PayloadTooLargeException({
        code: 'TOO_MANY_LINES',
        message: `A bulk upload carries at most ${MAX_BULK_LINES} transactions; send the rest in another upload`,
        field: 'body',
      });
    }
    // Judged in turns of bounded text, so no upload holds the event loop for long.
    const judged: { line: number; outcome: LineOutcome }[] = [];
    const valid: Checked[] = [];
    let sinceYield = 0;
    for (const { line, text } of lines) {
      if (sinceYield > BULK_CHARS_PER_TURN) {
        await yieldToEventLoop();
        sinceYield = 0;
      }
      sinceYield += text.length;
      const outcome = this.judgeLine(terminal, text, receivedAt);
      judged.push({ line, outcome });
      if (outcome.ok) valid.push(checked(outcome.tx));
    }
    const reused = await this.reusedIds(valid);
    const accepted = valid.filter(({ tx }) => !reused.has(tx));
    for (let i = 0; i < accepted.length; i += BULK_SEND_SIZE) {
      await this.produce(accepted.slice(i, i + BULK_SEND_SIZE), receivedAt, BULK_DEADLINE_MS);
    }
    const results: BulkLineResultDto[] = judged.map(({ line, outcome }) => {
      if (!outcome.ok)
        return {
          line,
          status: 'rejected',
          code: outcome.code,
          errors: outcome.errors.slice(0, MAX_LINE_ERRORS),
        };
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
  private async reusedIds(hashed: readonly Checked[]): Promise<Set<PosTransaction>> {
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

  // A refused line's answer names fields, never values: it may hold card data.
  private judgeLine(terminal: Terminal, text: string, receivedAt: Date): LineOutcome {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return invalidJson('the line is not JSON');
    }
    const parsed = parseTransaction(json, receivedAt, this.config.transactionRules);
    if (!parsed.ok) return parsed;
    try {
      this.assertActsForItself(terminal, parsed.tx);
    } catch (error) {
      const refusal = error as WrongStoreError;
      return {
        ok: false,
        code: refusal.code,
        errors: [{ field: refusal.field ?? '', messages: [refusal.message] }],
      };
    }
    return parsed;
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
