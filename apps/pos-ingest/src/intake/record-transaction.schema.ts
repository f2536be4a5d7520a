import {
  LINE_DISCOUNT_SOURCES,
  MAX_ABS_AMOUNT_CENTS,
  MAX_QUANTITY,
  TENDER_TYPES,
  TRANSACTION_TYPES,
  isCardNumber,
} from '@loyalty/domain';
import { DATE_TIME_WITH_OFFSET, ID_PATTERN, PRINTABLE_PATTERN } from '@loyalty/platform';
import Ajv, { SchemaObject, ValidateFunction } from 'ajv';
import { isISO8601, length, matches } from 'class-validator';
import {
  AppliedOfferDto,
  BUSINESS_DATE_PATTERN,
  LineDiscountDto,
  OFFER_CODE_PATTERN,
  RecordTransactionDto,
  TenderDto,
  TransactionLineDto,
} from './record-transaction.dto';

// The v1 transaction contract of record-transaction.dto.ts compiled once with Ajv, for the hot
// path: class-validator takes ~0.4 ms to check a 20-line receipt, this a few microseconds.
//
// It only ever says yes for a transaction the DTOs accept: every string rule below is the very
// class-validator function (with the same pattern) that the DTO's decorator runs, and the other
// keywords (types, required, enums, bounds, array sizes, unknown fields) mean what the decorators
// mean. It may refuse what the DTOs accept (null for an optional field, say): whatever it refuses
// is judged again by class-validator, which alone decides and words the errors, so answers stay
// exactly as they were. Keep it in step with the DTOs; the spec beside it compares the two.

const ajv = new Ajv({ allErrors: false, strict: true });

const stringRule = (name: string, validate: (value: string) => boolean) =>
  ajv.addFormat(name, { type: 'string', validate });

// class-validator's `length` counts a surrogate pair, or a character with a presentation selector,
// as one character, found by two allocating regular-expression scans; in a string without such
// code units (nearly all) it is the string's length, checked here directly.
const SURROGATE_OR_SELECTOR = /[\uD800-\uDFFF]|\uFE0E|\uFE0F/;
const hasLength = (v: string, min: number, max: number) =>
  SURROGATE_OR_SELECTOR.test(v) ? length(v, min, max) : v.length >= min && v.length <= max;

for (const max of [32, 64, 100]) {
  stringRule(`id-${max}`, (v) => hasLength(v, 1, max) && matches(v, ID_PATTERN));
}
for (const max of [64, 200]) {
  stringRule(`text-${max}`, (v) => hasLength(v, 1, max) && matches(v, PRINTABLE_PATTERN));
}
stringRule(
  'business-date',
  (v) => isISO8601(v, { strict: true }) && matches(v, BUSINESS_DATE_PATTERN),
);
stringRule(
  'date-time-with-offset',
  (v) => isISO8601(v, { strict: true }) && matches(v, DATE_TIME_WITH_OFFSET),
);
stringRule('iso8601', (v) => isISO8601(v, { strict: true }));
stringRule('card-number', isCardNumber);
stringRule('offer-code', (v) => matches(v, OFFER_CODE_PATTERN));

const format = (name: string): SchemaObject => ({ type: 'string', format: name });
/** `@IsCents({ min })`: whole cents within what a receipt can hold. */
const cents = (min = 0): SchemaObject => ({
  type: 'integer',
  minimum: Math.max(min, -MAX_ABS_AMOUNT_CENTS),
  maximum: MAX_ABS_AMOUNT_CENTS,
});
const arrayOf = (items: SchemaObject, maxItems: number): SchemaObject => ({
  type: 'array',
  maxItems,
  items,
});

/** `extra`: whether unknown fields are allowed (messages) or refused (HTTP, `forbidNonWhitelisted`). */
function transactionSchema(extra: boolean, more: Record<string, SchemaObject> = {}): SchemaObject {
  const object = (properties: Record<string, SchemaObject>, optional: string[] = []) => ({
    type: 'object',
    properties,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
    additionalProperties: extra,
  });
  const discount = object(
    {
      source: { enum: [...LINE_DISCOUNT_SOURCES] },
      amountCents: cents(1),
      reference: format('text-64'),
    },
    ['reference'],
  );
  const line = object(
    {
      sku: format('text-64'),
      description: format('text-200'),
      department: format('text-64'),
      category: format('text-64'),
      brand: format('text-64'),
      quantity: { type: 'number', exclusiveMinimum: 0, maximum: MAX_QUANTITY },
      unitPriceCents: cents(),
      amountCents: cents(),
      discounts: arrayOf(discount, 20),
    },
    ['description', 'category', 'brand', 'discounts'],
  );
  const tender = object({ type: { enum: [...TENDER_TYPES] }, amountCents: cents() });
  const appliedOffer = object(
    { code: format('offer-code'), redemptionId: format('id-64'), discountCents: cents() },
    ['redemptionId'],
  );
  return object(
    {
      posTransactionId: format('id-100'),
      storeId: format('id-32'),
      terminalId: format('id-32'),
      cashierId: format('id-32'),
      businessDate: format('business-date'),
      occurredAt: format('date-time-with-offset'),
      type: { enum: [...TRANSACTION_TYPES] },
      originalPosTransactionId: format('id-100'),
      cardNumber: format('card-number'),
      lines: arrayOf(line, 1_000),
      tenders: arrayOf(tender, 20),
      appliedOffers: arrayOf(appliedOffer, 50),
      totalCents: cents(),
      ...more,
    },
    ['originalPosTransactionId', 'cardNumber', 'appliedOffers'],
  );
}

/** The body of `POST /v1/transactions` or a bulk line, as JSON Schema. */
export const RECORD_TRANSACTION_SCHEMA: SchemaObject = transactionSchema(false);

/** The body of `POST /v1/transactions` or a bulk line, as `RecordTransactionDto` with no unknown field. */
export const isRecordTransaction: ValidateFunction = ajv.compile(RECORD_TRANSACTION_SCHEMA);

/** A `pos.transaction-recorded.v1` message, as `TransactionRecordedDto` (unknown fields tolerated). */
export const isTransactionRecorded: ValidateFunction = ajv.compile(
  transactionSchema(true, { receivedAt: format('iso8601') }),
);

/**
 * What `plainToInstance(RecordTransactionDto, json)` makes of a transaction that
 * `isRecordTransaction` accepted: the same classes, fields in the same order.
 */
export function toRecordTransactionDto(json: RecordTransactionDto): RecordTransactionDto {
  const dto = Object.assign(new RecordTransactionDto(), json);
  dto.lines = json.lines.map((line) => {
    const lineDto = Object.assign(new TransactionLineDto(), line);
    if (line.discounts)
      lineDto.discounts = line.discounts.map((d) => Object.assign(new LineDiscountDto(), d));
    return lineDto;
  });
  dto.tenders = json.tenders.map((tender) => Object.assign(new TenderDto(), tender));
  if (json.appliedOffers)
    dto.appliedOffers = json.appliedOffers.map((o) => Object.assign(new AppliedOfferDto(), o));
  return dto;
}
