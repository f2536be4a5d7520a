import fc from 'fast-check';
import { BasketLine } from './allocate-discounts';
import { RedemptionRequest, decideRedemption, quoteBasket } from './decide-redemption';
import { DEFAULT_CHECKOUT_TERMS, Offer } from './offer';
import { RuleLimits } from './redemption-limits';

const now = new Date('2026-11-20T12:00:00Z');
const lines: BasketLine[] = [
  { sku: 'milk', department: 'DAIRY', quantity: 1, amountCents: 400 },
  { sku: 'bread', department: 'BAKERY', quantity: 1, amountCents: 600 },
];

function offer(code: string, overrides: Partial<Offer> = {}): Offer {
  return {
    id: `id-${code}`,
    code,
    shopperId: 's1',
    ruleId: 'r1',
    reward: { kind: 'amountOff', amountCents: 100, target: { basket: true } },
    state: 'issued',
    validFrom: '2026-11-01T00:00:00Z',
    validUntil: '2026-12-01T00:00:00Z',
    issuedAt: '2026-11-01T00:00:00Z',
    ...DEFAULT_CHECKOUT_TERMS,
    ...overrides,
  } as Offer;
}

const request: RedemptionRequest = {
  shopperId: 's1',
  storeId: 'store-1',
  posTransactionId: 'p1',
  codes: ['A'],
  lines,
};
const checkout = { storeId: 'store-1', posTransactionId: 'p1' };
const onFile = (...offers: Offer[]) => new Map(offers.map((o) => [o.code, o]));

describe('decideRedemption', () => {
  it('redeems a live offer of the shopper that applies to the basket', () => {
    const decision = decideRedemption(request, onFile(offer('A')), now);
    expect(decision.quote.discountCents).toBe(100);
    expect(decision.offers).toEqual([
      expect.objectContaining({
        code: 'A',
        state: 'redeemed',
        redeemedAt: now.toISOString(),
        checkout,
      }),
    ]);
  });

  it.each<[string, Partial<Offer>]>([
    ['a clipped offer', { state: 'clipped', clippedAt: '2026-11-02T00:00:00Z' }],
    [
      'an offer reserved for this checkout',
      { state: 'reserved', clippedAt: null, reservedAt: '2026-11-20T11:59:00Z', checkout },
    ],
  ])('redeems %s', (_name, overrides) => {
    const decision = decideRedemption(request, onFile(offer('A', overrides)), now);
    expect(decision.offers[0].state).toBe('redeemed');
  });

  it('applies several offers by priority, then code, whatever the order of the request', () => {
    const first = offer('B', {
      priority: 20,
      reward: {
        kind: 'percentOff',
        percent: 50,
        target: { department: 'DAIRY' },
      },
    });
    const decision = decideRedemption(
      { ...request, codes: ['A', 'B'] },
      onFile(offer('A'), first),
      now,
    );
    expect(decision.quote.appliedOffers.map((o) => [o.code, o.discountCents])).toEqual([
      ['B', 200],
      ['A', 100],
    ]);
    expect(decision.offers.map((o) => o.code)).toEqual(['B', 'A']);
  });

  it('books the points of a points reward with the redemption', () => {
    const bonus = offer('P', {
      reward: { kind: 'pointsMultiplier', multiplier: 3, target: { department: 'BAKERY' } },
    });
    const decision = decideRedemption({ ...request, codes: ['P'] }, onFile(bonus), now, {
      pointsPerCurrencyUnit: 2,
    });
    expect(decision.quote.appliedOffers).toEqual([
      { code: 'P', discountCents: 0, lines: [], bonusPoints: 24 },
    ]);
  });

  it.each<[string, Partial<Offer> | null, string]>([
    ['an unknown code', null, 'OFFER_NOT_FOUND'],
    ["another shopper's offer", { shopperId: 's2' }, 'OFFER_NOT_FOUND'],
    [
      'an offer redeemed by another checkout',
      {
        state: 'redeemed',
        redeemedAt: '2026-11-19T00:00:00Z',
        checkout: { storeId: 'store-1', posTransactionId: 'p0' },
      },
      'OFFER_ALREADY_REDEEMED',
    ],
    [
      'an offer redeemed by this very checkout (a retry is answered before deciding)',
      { state: 'redeemed', redeemedAt: '2026-11-19T00:00:00Z', checkout },
      'OFFER_ALREADY_REDEEMED',
    ],
    [
      'an offer reserved for another checkout',
      {
        state: 'reserved',
        clippedAt: null,
        reservedAt: '2026-11-20T11:00:00Z',
        checkout: { storeId: 'store-2', posTransactionId: 'p1' },
      },
      'OFFER_RESERVED',
    ],
    ['a revoked offer', { state: 'revoked', revokedAt: '2026-11-19T00:00:00Z' }, 'OFFER_REVOKED'],
    ['an expired offer', { state: 'expired', expiredAt: '2026-11-19T00:00:00Z' }, 'OFFER_EXPIRED'],
    ['an offer past its validity', { validUntil: '2026-11-20T12:00:00Z' }, 'OFFER_EXPIRED'],
    ['an offer not yet valid', { validFrom: '2026-11-21T00:00:00Z' }, 'OFFER_EXPIRED'],
    ['an offer for other stores', { stores: ['store-9'] }, 'OFFER_NOT_APPLICABLE'],
    [
      'an offer that gives nothing on this basket',
      {
        reward: {
          kind: 'percentOff',
          percent: 10,
          target: { department: 'MEAT' },
        },
      },
      'OFFER_NOT_APPLICABLE',
    ],
  ])('refuses %s', (_name, overrides, code) => {
    const offers = overrides ? onFile(offer('A', overrides)) : onFile();
    expect(() => decideRedemption(request, offers, now)).toThrow(
      expect.objectContaining({ code, field: 'offerCodes' }),
    );
  });

  it('refuses an offer its stacking leaves out, saying why', () => {
    const offers = onFile(
      offer('A'),
      offer('X', {
        stacking: 'exclusive',
        reward: { kind: 'amountOff', amountCents: 50, target: { basket: true } },
      }),
    );
    expect(() => decideRedemption({ ...request, codes: ['A', 'X'] }, offers, now)).toThrow(
      expect.objectContaining({
        code: 'OFFER_NOT_APPLICABLE',
        message: 'Offer X gives nothing on this basket with these offers (not-combinable)',
      }),
    );
  });

  it('quotes the offers of this store, and says which are for other stores', () => {
    const quote = quoteBasket(lines, [offer('A'), offer('S', { stores: ['store-9'] })], 'store-1');
    expect(quote.appliedOffers.map((o) => o.code)).toEqual(['A']);
    expect(quote.leftOut).toEqual([{ code: 'S', reason: 'wrong-store' }]);
  });

  it('applies a clip-only offer once the shopper clipped it, and says which wait for a clip', () => {
    const clipped = offer('C', {
      clipRequired: true,
      state: 'clipped',
      clippedAt: '2026-11-02T00:00:00Z',
    } as Partial<Offer>);
    const unclipped = offer('U', { clipRequired: true });
    const quote = quoteBasket(lines, [clipped, unclipped], 'store-1');
    expect(quote.appliedOffers.map((o) => o.code)).toEqual(['C']);
    expect(quote.leftOut).toEqual([{ code: 'U', reason: 'not-clipped' }]);
    expect(() => decideRedemption({ ...request, codes: ['U'] }, onFile(unclipped), now)).toThrow(
      expect.objectContaining({ code: 'OFFER_NOT_APPLICABLE' }),
    );
    expect(
      decideRedemption({ ...request, codes: ['C'] }, onFile(clipped), now).quote.discountCents,
    ).toBe(100);
  });

  describe("the rules' limits", () => {
    const budget = (budgetCents: number, spentCents: number) => ({
      budget: { budgetCents, spentCents },
      cap: null,
    });
    const cap = (count: number, used: number) => ({ budget: null, cap: { count, used } });
    const twoOfR1 = [
      offer('A'),
      offer('B', { reward: { kind: 'amountOff', amountCents: 150, target: { basket: true } } }),
    ];

    it.each<[string, RuleLimits, string[], [string, string][]]>([
      ['a cap with room for both offers of its rule', cap(3, 1), ['A', 'B'], []],
      [
        'a cap with room for one: the first to apply',
        cap(2, 1),
        ['A'],
        [['B', 'household-cap-reached']],
      ],
      [
        'a cap reached',
        cap(1, 1),
        [],
        [
          ['A', 'household-cap-reached'],
          ['B', 'household-cap-reached'],
        ],
      ],
      ['a budget with room for both', budget(1_000, 700), ['A', 'B'], []],
      [
        'a budget with room for the first to apply',
        budget(1_000, 800),
        ['A'],
        [['B', 'budget-exhausted']],
      ],
      [
        'a budget spent',
        budget(1_000, 1_000),
        [],
        [
          ['A', 'budget-exhausted'],
          ['B', 'budget-exhausted'],
        ],
      ],
    ])('quotes within %s', (_name, limits, applied, leftOut) => {
      const quote = quoteBasket(lines, twoOfR1, 'store-1', undefined, new Map([['r1', limits]]));
      expect(quote.appliedOffers.map((o) => o.code)).toEqual(applied);
      expect(quote.leftOut.map((l) => [l.code, l.reason]).sort()).toEqual(leftOut);
    });

    it.each<[string, RuleLimits, string]>([
      ['a cap reached', cap(1, 1), 'HOUSEHOLD_CAP_REACHED'],
      ['a budget short of the discount', budget(1_000, 950), 'BUDGET_EXHAUSTED'],
    ])('refuses a redemption past %s', (_name, limits, code) => {
      expect(() =>
        decideRedemption(request, onFile(offer('A')), now, undefined, new Map([['r1', limits]])),
      ).toThrow(expect.objectContaining({ code, field: 'offerCodes' }));
    });

    it('redeems within the limits', () => {
      const decision = decideRedemption(
        request,
        onFile(offer('A')),
        now,
        undefined,
        new Map([
          ['r1', { budget: { budgetCents: 100, spentCents: 0 }, cap: { count: 1, used: 0 } }],
        ]),
      );
      expect(decision.quote.discountCents).toBe(100);
    });
  });

  it('refuses all when one of several offers cannot be redeemed', () => {
    const offers = onFile(
      offer('A'),
      offer('B', { state: 'revoked', revokedAt: '2026-11-19T00:00:00Z' }),
    );
    expect(() => decideRedemption({ ...request, codes: ['A', 'B'] }, offers, now)).toThrow(
      expect.objectContaining({ code: 'OFFER_REVOKED' }),
    );
  });
});

describe('the quote and the redemption agree', () => {
  const arbOffer = fc.record({
    code: fc.constantFrom('A', 'B', 'C', 'D', 'E'),
    reward: fc.oneof(
      fc.record({
        kind: fc.constant('percentOff' as const),
        percent: fc.integer({ min: 1, max: 100 }),
        target: fc.constantFrom({ basket: true as const }, { department: 'DAIRY' }),
      }),
      fc.record({
        kind: fc.constant('amountOff' as const),
        amountCents: fc.integer({ min: 1, max: 1_500 }),
        target: fc.constantFrom({ basket: true as const }, { department: 'BAKERY' }),
        minBasketCents: fc.integer({ min: 0, max: 1_500 }),
      }),
      fc.record({
        kind: fc.constant('bonusPoints' as const),
        points: fc.integer({ min: 1, max: 500 }),
        target: fc.constant({ basket: true as const }),
      }),
    ),
    priority: fc.integer({ min: 0, max: 3 }),
    stacking: fc.constantFrom('exclusive' as const, 'stackable' as const),
    stackingGroup: fc.constantFrom(null, 'g1'),
    ruleId: fc.constantFrom('r1', 'r2'),
  });
  const arbLine = fc.record({
    sku: fc.constantFrom('milk', 'bread', 'cheese'),
    department: fc.constantFrom('DAIRY', 'BAKERY'),
    quantity: fc.integer({ min: 1, max: 4 }),
    amountCents: fc.integer({ min: 0, max: 2_000 }),
  });
  const arbLimits = fc.record({
    budget: fc.option(
      fc.record({
        budgetCents: fc.integer({ min: 0, max: 3_000 }),
        spentCents: fc.integer({ min: 0, max: 3_000 }),
      }),
    ),
    cap: fc.option(
      fc.record({ count: fc.integer({ min: 1, max: 2 }), used: fc.integer({ min: 0, max: 2 }) }),
    ),
  });

  it('redeeming what a quote applies gives exactly the quote, on any basket, offers and limits', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbOffer, { maxLength: 5, selector: (o) => o.code }),
        fc.array(arbLine, { minLength: 1, maxLength: 6 }),
        arbLimits,
        (terms, basket, r1) => {
          const offers = terms.map((t) => offer(t.code, t as Partial<Offer>));
          const limits = new Map([['r1', r1]]);
          const quote = quoteBasket(basket, offers, 'store-1', undefined, limits);
          const codes = quote.appliedOffers.map((a) => a.code);
          if (codes.length === 0) return;
          const decision = decideRedemption(
            { ...request, codes, lines: basket },
            onFile(...offers),
            now,
            undefined,
            limits,
          );
          expect(decision.quote.appliedOffers).toEqual(quote.appliedOffers);
          expect(decision.quote.discountCents).toBe(quote.discountCents);
          expect(decision.offers.map((o) => o.code)).toEqual(codes);
        },
      ),
      { numRuns: 500 },
    );
  });
});
