import { isLuhnValid } from './card-number';
import { PosTransaction, sumLineAmounts } from './transaction';

/** A rule a transaction breaks, named so a POS developer can act on it. */
export interface Violation {
  field: string;
  rule: string;
  message: string;
}

export interface TransactionRules {
  /** Our loyalty cards start with this; any other Luhn-valid 13-19 digit number is a payment card. */
  loyaltyCardPrefix: string;
  /** How far ahead of our clock a POS clock may be. */
  clockSkewMs: number;
}

// How card numbers are written: 13-19 digits in a row, or in groups of four (Amex 4-6-5) split by
// one space or dash, the groups not glued to a letter. Nothing longer or differently grouped
// counts: not a UUID's digit groups, whole or cut short by its hex letters ("…c2-2943-4203-8805-744e…").
const CARD_SHAPES =
  /(?<!\d)(?:\d{13,19}|(?<![A-Za-z])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{5})(?![A-Za-z]))(?!\d)/g;

/** Paths of string fields that hold a payment card number (PAN), e.g. `lines[2].description`. */
export function findPaymentCardNumbers(
  value: unknown,
  loyaltyCardPrefix: string,
  path = '',
): string[] {
  const found: string[] = [];
  collectPaymentCardNumbers(value, loyaltyCardPrefix, { path }, found);
  return found;
}

// Where a value sits, spelled out only for a field that holds a PAN (the walk visits every
// string of every transaction; almost none does).
type Place = { path: string } | { parent: Place; key: string } | { parent: Place; index: number };

function pathOf(place: Place): string {
  if ('path' in place) return place.path;
  const parent = pathOf(place.parent);
  if ('index' in place) return `${parent}[${place.index}]`;
  return parent ? `${parent}.${place.key}` : place.key;
}

function holdsPan(value: string, loyaltyCardPrefix: string): boolean {
  const shapes = value.match(CARD_SHAPES);
  if (!shapes) return false;
  return shapes.some((shape) => {
    const digits = shape.replace(/[ -]/g, '');
    return digits.length >= 13 && isLuhnValid(digits) && !digits.startsWith(loyaltyCardPrefix);
  });
}

// Deeper than any request or event contract nests. What lies deeper is not walked: no contract
// accepts it, so it is refused, never stored, produced or echoed (and a recursive walk of a
// 10,000-level document would overflow the stack).
const MAX_WALK_DEPTH = 64;

function collectPaymentCardNumbers(
  value: unknown,
  loyaltyCardPrefix: string,
  place: Place,
  found: string[],
  depth = 0,
): void {
  if (depth > MAX_WALK_DEPTH) return;
  if (typeof value === 'string') {
    if (holdsPan(value, loyaltyCardPrefix)) found.push(pathOf(place));
  } else if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++)
      collectPaymentCardNumbers(
        value[index],
        loyaltyCardPrefix,
        { parent: place, index },
        found,
        depth + 1,
      );
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value))
      collectPaymentCardNumbers(
        (value as Record<string, unknown>)[key],
        loyaltyCardPrefix,
        { parent: place, key },
        found,
        depth + 1,
      );
  }
}

/**
 * The text with every payment card number in it masked to its last four digits (`****1111`):
 * what logs may keep of a value that held one.
 */
export function maskPaymentCardNumbers(text: string, loyaltyCardPrefix: string): string {
  if (!holdsPan(text, loyaltyCardPrefix)) return text;
  return text.replace(CARD_SHAPES, (shape) => {
    const digits = shape.replace(/[ -]/g, '');
    return digits.length >= 13 && isLuhnValid(digits) && !digits.startsWith(loyaltyCardPrefix)
      ? `****${digits.slice(-4)}`
      : shape;
  });
}

/**
 * The business rules of a well-formed transaction (its shape is checked at the edge). Never
 * echoes a value: a violation may be about card data.
 */
export function validateTransaction(
  tx: PosTransaction,
  now: Date,
  rules: TransactionRules,
): Violation[] {
  const violations: Violation[] = findPaymentCardNumbers(tx, rules.loyaltyCardPrefix).map(
    (field) => ({
      field,
      rule: 'noPaymentCardData',
      message: `${field} holds a payment card number; card data must never be sent`,
    }),
  );
  const add = (field: string, rule: string, message: string) =>
    violations.push({ field, rule, message });

  if (
    tx.cardNumber !== undefined &&
    !tx.cardNumber.startsWith(rules.loyaltyCardPrefix) &&
    violations.length === 0
  ) {
    add(
      'cardNumber',
      'loyaltyCard',
      `cardNumber must be one of our loyalty cards (starting ${rules.loyaltyCardPrefix})`,
    );
  }
  if (Date.parse(tx.occurredAt) > now.getTime() + rules.clockSkewMs) {
    add(
      'occurredAt',
      'notInFuture',
      `occurredAt is more than ${rules.clockSkewMs / 1000} s ahead of our clock`,
    );
  }
  if (tx.type === 'sale' && tx.originalPosTransactionId !== undefined) {
    add(
      'originalPosTransactionId',
      'onlyForReturnsAndVoids',
      'a sale has no originalPosTransactionId',
    );
  }
  if (tx.type !== 'sale' && tx.originalPosTransactionId === undefined) {
    add(
      'originalPosTransactionId',
      'required',
      `a ${tx.type} must name the transaction it refers to`,
    );
  }
  if (tx.type === 'void') {
    if (tx.lines.length > 0)
      add('lines', 'emptyForVoid', 'a void carries no lines; it cancels its original entirely');
    if (tx.totalCents !== 0) add('totalCents', 'zeroForVoid', 'a void has totalCents 0');
    if (tx.tenders.length > 0) add('tenders', 'emptyForVoid', 'a void carries no tenders');
    return violations;
  }
  if (tx.lines.length === 0) add('lines', 'notEmpty', `a ${tx.type} has at least one line`);
  if (tx.totalCents !== sumLineAmounts(tx.lines)) {
    add('totalCents', 'equalsSumOfLines', 'totalCents must equal the sum of the line amounts');
  }
  const tendered = tx.tenders.reduce((sum, t) => sum + t.amountCents, 0);
  if (tendered !== tx.totalCents) {
    add(
      'tenders',
      'equalsTotal',
      `the tenders must add up to totalCents (${tx.type === 'return' ? 'refunded' : 'paid'})`,
    );
  }
  return violations;
}
