import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { QUOTE_CONTRACT, REDEEM_CONTRACT, checkoutBodyErrors } from './checkout-request.schema';
import { QuoteRequestDto, RedeemRequestDto } from './checkout.dto';

// The OpenAPI document describes the lane's bodies from the DTO classes; the compiled schema
// judges them. On generated bodies, good and broken, both must give the same verdict.

const classValidatorAccepts = (dto: new () => object, body: unknown) =>
  validateSync(plainToInstance(dto, body) as object, {
    whitelist: true,
    forbidNonWhitelisted: true,
  }).length === 0;

const line = {
  sku: 'sku-1',
  department: 'DAIRY',
  category: 'CHEESE',
  brand: 'ACME',
  quantity: 2,
  amountCents: 398,
};
const quote = { cardNumber: '9800000000009061', lines: [line] };
const redeem = {
  ...quote,
  posTransactionId: 'store-1:lane-2:42',
  offerCodes: ['K7Q2M9XD4T'],
  pointsToSpend: 100,
};

/** Values a broken field may take (no null for an optional field: see the last test). */
const wrong = fc.constantFrom<unknown>(
  '',
  'x'.repeat(101),
  'a\u0000b',
  'abc',
  'store 1',
  -1,
  0,
  1.5,
  1e12,
  -1e12,
  true,
  [],
  ['abc'],
  ['A', 'A'],
  {},
  '4111111111111111',
  '9800000000009062',
);

/** A body with one field changed, removed or added, at the top or in a line. */
function mutated(body: Record<string, unknown>, optional: readonly string[]) {
  const keys = [...Object.keys(body), 'unknown'];
  const lineKeys = [...Object.keys(line), 'unknown'];
  return fc.oneof(
    fc.record({ key: fc.constantFrom(...keys), value: wrong }).map(({ key, value }) => ({
      ...body,
      [key]: value,
    })),
    fc.constantFrom(...Object.keys(body)).map((key) => {
      const copy = { ...body };
      delete copy[key];
      return copy;
    }),
    fc.record({ key: fc.constantFrom(...lineKeys), value: wrong }).map(({ key, value }) => ({
      ...body,
      lines: [{ ...line, [key]: value }],
    })),
    fc.constant({ ...body, [optional[0]]: undefined }),
  );
}

describe('the compiled checkout schemas agree with the documented DTOs', () => {
  it.each([
    ['quote', QuoteRequestDto, QUOTE_CONTRACT, quote, ['reserve']],
    ['redemption', RedeemRequestDto, REDEEM_CONTRACT, redeem, ['pointsToSpend']],
  ] as const)('on %s bodies', (_name, dto, contract, body, optional) => {
    expect(checkoutBodyErrors(contract, body)).toEqual([]);
    fc.assert(
      fc.property(mutated(body, optional), (candidate) => {
        const json = JSON.parse(JSON.stringify(candidate));
        expect(checkoutBodyErrors(contract, json).length === 0).toBe(
          classValidatorAccepts(dto, json),
        );
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['reserve without a sale', { ...quote, reserve: true }, 'posTransactionId'],
    [
      'no offer and no points',
      { ...redeem, offerCodes: [], pointsToSpend: undefined },
      'offerCodes',
    ],
    ['a control character', { ...quote, lines: [{ ...line, sku: 'a\u0007' }] }, 'lines[0].sku'],
    ['1,001 lines, named once', { ...quote, lines: Array(1_001).fill(line) }, 'lines'],
  ])('names the field of %s', (_name, body, field) => {
    const contract = 'offerCodes' in body ? REDEEM_CONTRACT : QUOTE_CONTRACT;
    expect(checkoutBodyErrors(contract, body).map((e) => e.field)).toEqual([field]);
  });

  it('refuses null for an optional field, which class-validator would let through', () => {
    expect(checkoutBodyErrors(REDEEM_CONTRACT, { ...redeem, pointsToSpend: null })).toEqual([
      { field: 'pointsToSpend', messages: ['pointsToSpend must be integer'] },
    ]);
  });
});
