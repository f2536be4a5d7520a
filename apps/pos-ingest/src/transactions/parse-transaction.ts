import {
  PosTransaction,
  TransactionRecordedV1,
  TransactionRules,
  Violation,
  findPaymentCardNumbers,
  validateTransaction,
} from '@loyalty/domain';
import { FieldError } from '@loyalty/platform';
import {
  ContractCheck,
  MAX_FIELD_ERRORS,
  RECORD_TRANSACTION,
  TRANSACTION_RECORDED,
  contractErrors,
} from './transaction.schema';

export type TransactionRefusal = {
  ok: false;
  code: 'INVALID_JSON' | 'VALIDATION_FAILED' | 'PAYMENT_CARD_DATA';
  errors: FieldError[];
};
export type Parsed<T> = { ok: true; tx: T } | TransactionRefusal;

function refusal(code: TransactionRefusal['code'], errors: FieldError[]): TransactionRefusal {
  return { ok: false, code, errors: errors.slice(0, MAX_FIELD_ERRORS) };
}

function fromViolations(violations: readonly Violation[]): TransactionRefusal {
  const cardData = violations.some((v) => v.rule === 'noPaymentCardData');
  return refusal(
    cardData ? 'PAYMENT_CARD_DATA' : 'VALIDATION_FAILED',
    violations.map((v) => ({ field: v.field, messages: [v.message] })),
  );
}

function parseWith<T extends PosTransaction>(
  contract: ContractCheck,
  json: unknown,
  now: Date,
  rules: TransactionRules,
): Parsed<T> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return refusal('INVALID_JSON', [{ field: '', messages: ['must be a JSON object'] }]);
  if (!contract.accepts(json)) {
    // Card data wins over every other error: the answer must say why, and never echo it.
    const cardFields = findPaymentCardNumbers(json, rules.loyaltyCardPrefix);
    if (cardFields.length > 0)
      return fromViolations(
        cardFields.map((field) => ({
          field,
          rule: 'noPaymentCardData',
          message: `${field} holds a payment card number; card data must never be sent`,
        })),
      );
    // An array over its limit is named alone: explaining each of its elements is unbounded work.
    const tooLong = contract.accepts.errors?.find((e) => e.keyword === 'maxItems');
    if (!tooLong) contract.explain(json);
    const errors = tooLong ? [tooLong] : (contract.explain.errors ?? []);
    return refusal('VALIDATION_FAILED', contractErrors(errors));
  }
  const tx = json as T;
  const violations = validateTransaction(tx, now, rules);
  return violations.length > 0 ? fromViolations(violations) : { ok: true, tx };
}

/**
 * The one judge of a transaction a POS sends (`POST /v1/transactions`, each bulk line): the
 * contract's shape, then the domain's rules at `receivedAt`. No unknown field is allowed.
 */
export function parseTransaction(
  json: unknown,
  receivedAt: Date,
  rules: TransactionRules,
): Parsed<PosTransaction> {
  return parseWith(RECORD_TRANSACTION, json, receivedAt, rules);
}

/**
 * The same judge for a `pos.transaction-recorded.v1` message, at the time the intake received it:
 * whatever the intake accepted, the projector accepts (unknown fields are tolerated, so producers
 * may add some).
 */
export function parseTransactionRecorded(
  json: unknown,
  rules: TransactionRules,
): Parsed<TransactionRecordedV1> {
  const receivedAt =
    typeof json === 'object' && json !== null && 'receivedAt' in json
      ? new Date(String(json.receivedAt))
      : new Date(NaN);
  return parseWith(TRANSACTION_RECORDED, json, receivedAt, rules);
}
