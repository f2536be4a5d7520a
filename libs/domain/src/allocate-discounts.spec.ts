import fc from 'fast-check';
import { BasketLine, DiscountableOffer, allocateDiscounts } from './allocate-discounts';

const lines: BasketLine[] = [
  { sku: 'milk', department: 'DAIRY', quantity: 2, amountCents: 300 },
  { sku: 'cheese', department: 'DAIRY', quantity: 0.532, amountCents: 100 },
  { sku: 'apples', department: 'PRODUCE', quantity: 1, amountCents: 600 },
];

const percentOffDairy: DiscountableOffer = {
  code: 'DAIRY10',
  reward: { kind: 'percentOff', percent: 10, target: { department: 'DAIRY' } },
};
const twoOffBasket: DiscountableOffer = {
  code: 'TWO',
  reward: { kind: 'amountOff', amountCents: 200, target: { basket: true } },
};

describe('allocateDiscounts', () => {
  it('gives a percent off a department, spread over its lines', () => {
    expect(allocateDiscounts(lines, [percentOffDairy])).toEqual({
      subtotalCents: 1_000,
      discountCents: 40,
      totalCents: 960,
      appliedOffers: [
        {
          code: 'DAIRY10',
          discountCents: 40,
          lines: [
            { lineIndex: 0, discountCents: 30 },
            { lineIndex: 1, discountCents: 10 },
          ],
        },
      ],
    });
  });

  it('gives an amount off the basket in proportion to line amounts', () => {
    expect(allocateDiscounts(lines, [twoOffBasket]).appliedOffers).toEqual([
      {
        code: 'TWO',
        discountCents: 200,
        lines: [
          { lineIndex: 0, discountCents: 60 },
          { lineIndex: 1, discountCents: 20 },
          { lineIndex: 2, discountCents: 120 },
        ],
      },
    ]);
  });

  it('caps an amount off at what the target lines are worth', () => {
    const big: DiscountableOffer = {
      code: 'BIG',
      reward: {
        kind: 'amountOff',
        amountCents: 5_000,
        target: { department: 'PRODUCE' },
      },
    };
    expect(allocateDiscounts(lines, [big]).discountCents).toBe(600);
  });

  it('applies later offers to what earlier ones left', () => {
    const quote = allocateDiscounts(lines, [twoOffBasket, percentOffDairy]);
    expect(quote.appliedOffers.map((o) => [o.code, o.discountCents])).toEqual([
      ['TWO', 200],
      ['DAIRY10', 32],
    ]);
    expect(quote.totalCents).toBe(768);
  });

  it('leaves out offers whose target is not in the basket', () => {
    const meat: DiscountableOffer = {
      code: 'MEAT',
      reward: {
        kind: 'percentOff',
        percent: 50,
        target: { department: 'MEAT' },
      },
    };
    expect(allocateDiscounts(lines, [meat])).toEqual({
      subtotalCents: 1_000,
      discountCents: 0,
      totalCents: 1_000,
      appliedOffers: [],
    });
  });

  it('never discounts a line below zero and line discounts add up to each offer', () => {
    const arbLine = fc.record({
      sku: fc.constant('x'),
      department: fc.constantFrom('DAIRY', 'MEAT'),
      quantity: fc.constant(1),
      amountCents: fc.integer({ min: -1_000, max: 10_000 }),
    });
    const arbOffer = fc.record({
      code: fc.string(),
      reward: fc.oneof(
        fc.record({
          kind: fc.constant('percentOff' as const),
          percent: fc.integer({ min: 1, max: 100 }),
          target: fc.constant({ basket: true as const }),
        }),
        fc.record({
          kind: fc.constant('amountOff' as const),
          amountCents: fc.integer({ min: 1, max: 20_000 }),
          target: fc.constantFrom(
            { basket: true as const },
            { scope: 'department' as const, department: 'DAIRY' },
          ),
        }),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(arbLine, { maxLength: 8 }),
        fc.array(arbOffer, { maxLength: 4 }),
        (ls, os) => {
          const quote = allocateDiscounts(ls, os);
          const perLine = ls.map(() => 0);
          for (const offer of quote.appliedOffers) {
            expect(offer.lines.reduce((s, l) => s + l.discountCents, 0)).toBe(offer.discountCents);
            for (const l of offer.lines) perLine[l.lineIndex] += l.discountCents;
          }
          ls.forEach((line, i) =>
            expect(perLine[i]).toBeLessThanOrEqual(Math.max(0, line.amountCents)),
          );
          expect(quote.totalCents).toBe(quote.subtotalCents - quote.discountCents);
        },
      ),
    );
  });
});
