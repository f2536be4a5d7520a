import fc from 'fast-check';
import { BasketLine, DiscountableOffer, allocateDiscounts } from './allocate-discounts';
import { RewardTarget } from './rules/rule-model';

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
          bonusPoints: 0,
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
        bonusPoints: 0,
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

describe('allocateDiscounts, every reward kind', () => {
  const line = (sku: string, department: string, quantity: number, amountCents: number) => ({
    sku,
    department,
    quantity,
    amountCents,
  });
  const basket: BasketLine[] = [
    line('tea', 'DRINKS', 2, 500),
    line('juice', 'DRINKS', 1, 199),
    line('water', 'DRINKS', 1, 120),
    line('cheese', 'DAIRY', 0.532, 1_064),
    line('bread', 'BAKERY', 3, 100),
  ];
  const drinks = { department: 'DRINKS' };
  const offer = (reward: DiscountableOffer['reward']): DiscountableOffer => ({ code: 'X', reward });

  it.each<[string, DiscountableOffer['reward'], [number, number][], number]>([
    [
      'a fixed price below the shelf price, per unit',
      { kind: 'fixedPrice', priceCents: 199, target: { skus: ['tea'] } },
      [[0, 102]],
      0,
    ],
    [
      'a fixed price above the shelf price gives nothing',
      { kind: 'fixedPrice', priceCents: 300, target: { skus: ['tea'] } },
      [],
      0,
    ],
    [
      'a fixed price per kilogram on a weighed line',
      { kind: 'fixedPrice', priceCents: 1_500, target: { skus: ['cheese'] } },
      [[3, 266]],
      0,
    ],
    [
      'buy 2 get 1, the cheapest unit free, mixed prices',
      { kind: 'buyXGetY', buy: 2, get: 1, free: 'cheapest', target: drinks },
      [[2, 120]],
      0,
    ],
    [
      'buy 2 get 1, the dearest unit free',
      { kind: 'buyXGetY', buy: 2, get: 1, free: 'mostExpensive', target: drinks },
      [[0, 250]],
      0,
    ],
    [
      'buy 1 get 1 over four units: the two cheapest free',
      { kind: 'buyXGetY', buy: 1, get: 1, free: 'cheapest', target: drinks },
      [
        [1, 199],
        [2, 120],
      ],
      0,
    ],
    [
      'units of a line priced by largest remainder: 34, 33, 33',
      { kind: 'buyXGetY', buy: 2, get: 1, free: 'cheapest', target: { skus: ['bread'] } },
      [[4, 33]],
      0,
    ],
    [
      'buy X get Y counts no weighed units',
      { kind: 'buyXGetY', buy: 1, get: 1, free: 'cheapest', target: { department: 'DAIRY' } },
      [],
      0,
    ],
    [
      'buy X get Y capped by its maximum discount',
      {
        kind: 'buyXGetY',
        buy: 1,
        get: 1,
        free: 'cheapest',
        target: drinks,
        maxDiscountCents: 100,
      },
      [
        [1, 62],
        [2, 38],
      ],
      0,
    ],
    [
      'a free item outside its target, once the target is bought',
      { kind: 'freeItem', sku: 'tea', target: { department: 'BAKERY' } },
      [[0, 250]],
      0,
    ],
    [
      'no free item without its target',
      { kind: 'freeItem', sku: 'tea', target: { department: 'MEAT' } },
      [],
      0,
    ],
    [
      'a points multiplier: the target earns three times (twice more)',
      { kind: 'pointsMultiplier', multiplier: 3, target: drinks },
      [],
      16,
    ],
    [
      'bonus points once the target is bought',
      { kind: 'bonusPoints', points: 500, target: { skus: ['bread'] } },
      [],
      500,
    ],
    [
      'nothing below the minimum basket',
      { kind: 'bonusPoints', points: 500, target: { basket: true }, minBasketCents: 5_000 },
      [],
      0,
    ],
  ])('%s', (_name, reward, expected, bonusPoints) => {
    const quote = allocateDiscounts(basket, [offer(reward)]);
    const applied = quote.appliedOffers[0];
    expect(applied?.lines.map((l) => [l.lineIndex, l.discountCents]) ?? []).toEqual(expected);
    expect(applied?.bonusPoints ?? 0).toBe(bonusPoints);
    expect(quote.appliedOffers).toHaveLength(expected.length > 0 || bonusPoints > 0 ? 1 : 0);
  });

  it('discounts a line twice, the second offer on what the first left', () => {
    const quote = allocateDiscounts(basket, [
      offer({ kind: 'fixedPrice', priceCents: 200, target: { skus: ['tea'] } }),
      offer({ kind: 'percentOff', percent: 10, target: { skus: ['tea'] } }),
    ]);
    expect(quote.appliedOffers.map((o) => o.discountCents)).toEqual([100, 40]);
  });

  it('earns points on the target at the programme rate', () => {
    const quote = allocateDiscounts(
      basket,
      [offer({ kind: 'pointsMultiplier', multiplier: 2, target: { skus: ['tea'] } })],
      { pointsPerCurrencyUnit: 10 },
    );
    expect(quote.appliedOffers[0].bonusPoints).toBe(50);
  });

  const arbTarget = fc.constantFrom<RewardTarget>(
    { basket: true as const },
    { department: 'A' },
    { department: 'B' },
    { skus: ['s1', 's2'] },
  );
  const arbReward: fc.Arbitrary<DiscountableOffer['reward']> = fc
    .tuple(
      fc.oneof(
        fc.record({
          kind: fc.constant('percentOff' as const),
          percent: fc.integer({ min: 1, max: 100 }),
        }),
        fc.record({
          kind: fc.constant('amountOff' as const),
          amountCents: fc.integer({ min: 1, max: 5_000 }),
        }),
        fc.record({
          kind: fc.constant('fixedPrice' as const),
          priceCents: fc.integer({ min: 0, max: 800 }),
        }),
        fc.record({
          kind: fc.constant('buyXGetY' as const),
          buy: fc.integer({ min: 1, max: 4 }),
          get: fc.integer({ min: 1, max: 3 }),
          free: fc.constantFrom('cheapest' as const, 'mostExpensive' as const),
        }),
        fc.record({
          kind: fc.constant('freeItem' as const),
          sku: fc.constantFrom('s1', 's2', 's3'),
        }),
        fc.record({
          kind: fc.constant('bonusPoints' as const),
          points: fc.integer({ min: 1, max: 1_000 }),
        }),
        fc.record({
          kind: fc.constant('pointsMultiplier' as const),
          multiplier: fc.integer({ min: 2, max: 10 }),
        }),
      ),
      arbTarget,
      fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
    )
    .map(([benefit, target, minBasketCents, maxDiscountCents]) => ({
      ...benefit,
      target,
      ...(minBasketCents === undefined ? {} : { minBasketCents }),
      ...(maxDiscountCents === undefined ? {} : { maxDiscountCents }),
    }));
  const arbLine = fc.record({
    sku: fc.constantFrom('s1', 's2', 's3', 's4'),
    department: fc.constantFrom('A', 'B'),
    quantity: fc.oneof(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 3_000 }).map((g) => g / 1_000),
    ),
    amountCents: fc.integer({ min: 0, max: 5_000 }),
  });

  it("never gives more than the basket, a line or an offer's cap, and allocates exactly", () => {
    fc.assert(
      fc.property(
        fc.array(arbLine, { maxLength: 10 }),
        fc.array(arbReward, { maxLength: 5 }),
        (ls, rewards) => {
          const offers = rewards.map((reward, i) => ({ code: `O${i}`, reward }));
          const quote = allocateDiscounts(ls, offers);
          const perLine = ls.map(() => 0);
          for (const applied of quote.appliedOffers) {
            const { reward } = offers.find((o) => o.code === applied.code) as DiscountableOffer;
            expect(applied.lines.reduce((s, l) => s + l.discountCents, 0)).toBe(
              applied.discountCents,
            );
            if (reward.maxDiscountCents !== undefined)
              expect(applied.discountCents).toBeLessThanOrEqual(reward.maxDiscountCents);
            for (const l of applied.lines) {
              expect(l.discountCents).toBeGreaterThan(0);
              perLine[l.lineIndex] += l.discountCents;
            }
          }
          ls.forEach((l, i) => expect(perLine[i]).toBeLessThanOrEqual(l.amountCents));
          expect(quote.discountCents).toBeLessThanOrEqual(quote.subtotalCents);
          expect(quote.totalCents).toBe(quote.subtotalCents - quote.discountCents);
        },
      ),
      { numRuns: 500 },
    );
  });
});
