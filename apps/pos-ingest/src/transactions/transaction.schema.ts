import {
  LINE_DISCOUNT_SOURCES,
  MAX_ABS_AMOUNT_CENTS,
  MAX_QUANTITY,
  TENDER_TYPES,
  TRANSACTION_TYPES,
  isCardNumber,
} from '@loyalty/domain';
import { FieldError, ID_PATTERN as ID_REGEXP, PRINTABLE_TEXT_PATTERN } from '@loyalty/platform';
import Ajv, { ErrorObject, SchemaObject, ValidateFunction } from 'ajv';
import { isISO8601 } from 'class-validator';

// The v1 transaction contract, once: this JSON Schema is what the HTTP intake (single and bulk)
// and the projector accept (compiled with Ajv, `parse-transaction.ts`), what the OpenAPI document
// shows, and what the canonical serializer writes. Its business rules (totals, tenders, card
// data, clock skew, originals) are `validateTransaction` in libs/domain.

// The platform's patterns, as JSON Schema writes them (Ajv compiles patterns with the `u` flag).
/** Store, terminal, cashier and transaction ids. */
const ID_PATTERN = ID_REGEXP.source;
/** Free text: no control characters and no unpaired UTF-16 surrogates (PostgreSQL cannot store them). */
const TEXT_PATTERN = PRINTABLE_TEXT_PATTERN.source;
/** An offer code as the coupon engine issues them. */
const OFFER_CODE_PATTERN = '^[0-9A-Z]{1,32}$';

const ARRAY_LIMITS = {
  lines: 1_000,
  discounts: 20,
  tenders: 20,
  appliedOffers: 50,
} as const;

const FORMATS: Record<string, { validate: (v: string) => boolean; message: string }> = {
  date: {
    validate: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && isISO8601(v, { strict: true }),
    message: 'must be a calendar date (YYYY-MM-DD)',
  },
  'date-time': {
    validate: (v) => /T.*(Z|[+-]\d{2}:\d{2})$/.test(v) && isISO8601(v, { strict: true }),
    message: 'must be an ISO 8601 date-time with its UTC offset (Z or ±hh:mm)',
  },
  'card-number': {
    validate: isCardNumber,
    message: 'must be 12 to 19 digits with a valid Luhn check digit',
  },
};

const PATTERN_MESSAGES: Record<string, string> = {
  [ID_PATTERN]: 'may hold only letters, digits and . _ : -',
  [TEXT_PATTERN]: 'must not contain control characters or unpaired surrogates',
  [OFFER_CODE_PATTERN]: 'must be 1 to 32 capital letters or digits',
};

const id = (max: number, example: string, description?: string): SchemaObject => ({
  type: 'string',
  minLength: 1,
  maxLength: max,
  pattern: ID_PATTERN,
  example,
  ...(description ? { description } : {}),
});
const text = (max: number, example: string): SchemaObject => ({
  type: 'string',
  minLength: 1,
  maxLength: max,
  pattern: TEXT_PATTERN,
  example,
});
const cents = (example: number, description: string, min = 0): SchemaObject => ({
  type: 'integer',
  minimum: min,
  maximum: MAX_ABS_AMOUNT_CENTS,
  example,
  description: `${description}, in integer cents`,
});
const arrayOf = (items: SchemaObject, maxItems: number): SchemaObject => ({
  type: 'array',
  maxItems,
  items,
});

/** The business rules (validateTransaction), which JSON Schema cannot state. */
const RULES_DESCRIPTION = [
  'A finished POS transaction (contract v1). Amounts are integer cents, positive on every type: the type gives the direction.',
  'Rules beyond the fields: totalCents equals the sum of the line amounts, and the tenders add up to totalCents;',
  'a sale has at least one line and no originalPosTransactionId; a return names the transaction it refunds (same store) and has lines;',
  'a void names the transaction it cancels and has no lines, no tenders and totalCents 0;',
  'occurredAt is at most CLOCK_SKEW_SECONDS (300) ahead of the server clock;',
  'no string anywhere holds a payment card number (a Luhn-valid 13-19 digit run, also in groups, not starting with LOYALTY_CARD_PREFIX): 400 PAYMENT_CARD_DATA, never echoed.',
  '(storeId, posTransactionId) is the idempotency key: the same body again is answered as before, another body gets 409 TRANSACTION_ID_REUSED.',
].join(' ');

/** `extra`: whether unknown fields are allowed (messages) or refused (HTTP). */
function transactionSchema(extra: boolean, more: Record<string, SchemaObject> = {}): SchemaObject {
  const object = (
    properties: Record<string, SchemaObject>,
    optional: string[] = [],
    description?: string,
  ) => ({
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
    additionalProperties: extra,
  });
  const discount = object(
    {
      source: { type: 'string', enum: [...LINE_DISCOUNT_SOURCES] },
      amountCents: cents(50, 'Discount on this line (positive)', 1),
      reference: text(64, 'PROMO-2FOR1'),
    },
    ['reference'],
  );
  const line = object(
    {
      sku: text(64, '1082185'),
      description: text(200, 'Gouda, sliced'),
      department: text(64, 'DAIRY'),
      category: text(64, 'CHEESE'),
      brand: text(64, 'National'),
      quantity: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: MAX_QUANTITY,
        example: 0.532,
        description: 'Positive, also on returns; may be fractional for weighed goods',
      },
      unitPriceCents: cents(846, 'Shelf price per unit'),
      amountCents: cents(450, 'What the line costs after its discounts; authoritative'),
      discounts: arrayOf(discount, ARRAY_LIMITS.discounts),
    },
    ['description', 'category', 'brand', 'discounts'],
  );
  const tender = object({
    type: { type: 'string', enum: [...TENDER_TYPES] },
    amountCents: cents(450, 'Paid (or refunded) with this tender'),
  });
  const appliedOffer = object(
    {
      code: { type: 'string', pattern: OFFER_CODE_PATTERN, example: 'K7Q2M9XD4T' },
      redemptionId: id(64, 'rd-6f1c2a', 'The loyalty API redemption, if the POS made one'),
      discountCents: cents(45, 'What the offer gave'),
    },
    ['redemptionId'],
  );
  return object(
    {
      posTransactionId: id(100, 'lane-3:000123', 'Unique within the store: the idempotency key'),
      storeId: id(32, 'store-42'),
      terminalId: id(32, 'lane-3'),
      cashierId: id(32, 'cashier-17'),
      businessDate: {
        type: 'string',
        format: 'date',
        example: '2026-11-20',
        description: "The store's trading day, YYYY-MM-DD",
      },
      occurredAt: {
        type: 'string',
        format: 'date-time',
        example: '2026-11-20T17:42:10-05:00',
        description: `POS clock time with its UTC offset; at most CLOCK_SKEW_SECONDS ahead of ours`,
      },
      type: { type: 'string', enum: [...TRANSACTION_TYPES] },
      originalPosTransactionId: id(
        100,
        'lane-3:000100',
        'Required for a return or void (same store), absent on a sale',
      ),
      cardNumber: {
        type: 'string',
        format: 'card-number',
        pattern: '^\\d{12,19}$',
        example: '9800000000009061',
        description:
          'Our loyalty card (12-19 digits, Luhn check digit, starting LOYALTY_CARD_PREFIX); omit it for an anonymous sale',
      },
      lines: arrayOf(line, ARRAY_LIMITS.lines),
      tenders: arrayOf(tender, ARRAY_LIMITS.tenders),
      appliedOffers: arrayOf(appliedOffer, ARRAY_LIMITS.appliedOffers),
      totalCents: cents(450, 'Sum of the line amounts (0 for a void); the tenders add up to it'),
      ...more,
    },
    ['originalPosTransactionId', 'cardNumber', 'appliedOffers'],
    RULES_DESCRIPTION,
  );
}

const ajv = new Ajv({ allErrors: false, strict: true });
const explainingAjv = new Ajv({ allErrors: true, strict: true });
for (const instance of [ajv, explainingAjv]) {
  instance.addVocabulary(['example']);
  for (const [name, { validate }] of Object.entries(FORMATS))
    instance.addFormat(name, { type: 'string', validate });
}

/** The body of `POST /v1/transactions` or a bulk line: no unknown field. */
export const RECORD_TRANSACTION_SCHEMA: SchemaObject = transactionSchema(false);
/** A `pos.transaction-recorded.v1` message: unknown fields tolerated, so producers can add some. */
const TRANSACTION_RECORDED_SCHEMA: SchemaObject = transactionSchema(true, {
  receivedAt: { type: 'string', format: 'date-time' },
});

export interface ContractCheck {
  /** Fast yes or no. */
  accepts: ValidateFunction;
  /** Every error, for the answer (slower: only on refusal). */
  explain: ValidateFunction;
}

export const RECORD_TRANSACTION: ContractCheck = {
  accepts: ajv.compile(RECORD_TRANSACTION_SCHEMA),
  explain: explainingAjv.compile(RECORD_TRANSACTION_SCHEMA),
};

export const TRANSACTION_RECORDED: ContractCheck = {
  accepts: ajv.compile(TRANSACTION_RECORDED_SCHEMA),
  explain: explainingAjv.compile(TRANSACTION_RECORDED_SCHEMA),
};

function fieldOf(instancePath: string, child?: string): string {
  const path = instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/')}`))
    .join('');
  const full = child === undefined ? path : `${path}.${child}`;
  return full.startsWith('.') ? full.slice(1) : full;
}

function wording(error: ErrorObject): { field: string; message: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        field: fieldOf(error.instancePath, String(params.missingProperty)),
        message: 'is required',
      };
    case 'additionalProperties':
      return {
        field: fieldOf(error.instancePath, String(params.additionalProperty)),
        message: 'is not a field of the transaction contract',
      };
    case 'format':
      return {
        field: fieldOf(error.instancePath),
        message: FORMATS[String(params.format)]?.message ?? 'has the wrong format',
      };
    case 'pattern':
      return {
        field: fieldOf(error.instancePath),
        message: PATTERN_MESSAGES[String(params.pattern)] ?? 'has the wrong format',
      };
    case 'enum':
      return {
        field: fieldOf(error.instancePath),
        message: `must be one of: ${(params.allowedValues as string[]).join(', ')}`,
      };
    case 'type':
      return {
        field: fieldOf(error.instancePath),
        message: `must be ${params.type === 'integer' ? 'a whole number' : `a${/^[aeio]/.test(String(params.type)) ? 'n' : ''} ${String(params.type)}`}`,
      };
    default:
      return { field: fieldOf(error.instancePath), message: error.message ?? 'is invalid' };
  }
}

/** At most this many fields are named in an answer: enough to fix a POS, bounded in size. */
export const MAX_FIELD_ERRORS = 20;

/** The contract's errors by field, worded for a POS developer, never echoing a value. */
export function contractErrors(errors: readonly ErrorObject[]): FieldError[] {
  const byField = new Map<string, string[]>();
  for (const error of errors) {
    const { field, message } = wording(error);
    const messages = byField.get(field);
    if (messages) {
      if (!messages.includes(message)) messages.push(message);
    } else if (byField.size < MAX_FIELD_ERRORS) byField.set(field, [message]);
  }
  return [...byField].map(([field, messages]) => ({ field, messages }));
}
