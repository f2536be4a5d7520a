import { PosTransaction } from '@loyalty/domain';
import { CONTRACT_FIELDS } from './record-transaction.schema';

/**
 * A transaction as canonical JSON: every object's fields in name order, whatever order the POS
 * sent them in, so the same transaction always has the same text and body hash. An array replacer
 * names the fields and fixes their order natively; sorting each object's keys in JS
 * (fast-json-stable-stringify, which gives the same text) took a fifth of the intake's CPU.
 */
export function canonicalJson(tx: PosTransaction): string {
  return JSON.stringify(tx, CONTRACT_FIELDS as string[]);
}

/** The `pos.transaction-recorded.v1` message value for a transaction in canonical JSON. */
export function transactionRecordedJson(canonical: string, receivedAt: Date): string {
  // The canonical text is a non-empty object: one more field closes it, with no second serialization.
  return `${canonical.slice(0, -1)},"receivedAt":"${receivedAt.toISOString()}"}`;
}
