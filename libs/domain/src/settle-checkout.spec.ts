import fc from 'fast-check';
import { DEFAULT_CHECKOUT_TERMS, Offer } from './offer';
import { RuleLimits } from './redemption-limits';
import {
  OfflineVerdict,
  judgeOfflineOffer,
  pointsBackForReturn,
  reinstatedState,
  returnOutcome,
} from './settle-checkout';

describe('returnOutcome', () => {
  it.each([
    // discount, returned before, given back now -> budget back, cancels
    [300, 0, 300, 300, true],
    [300, 0, 100, 100, false],
    [300, 200, 100, 100, true],
    [300, 200, 500, 100, true],
    [300, 300, 50, 0, true],
    [0, 0, 0, 0, true], // a points reward named by a return
    [300, 0, 0, 0, false],
  ])(
    'discount %i, %i back before, %i now: %i back, cancels %s',
    (d, before, now, back, cancels) => {
      expect(returnOutcome({ discountCents: d, returnedCents: before }, now)).toEqual({
        budgetBackCents: back,
        cancels,
      });
    },
  );

  it('never gives back more than the discount, whatever the returns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 6 }),
        (discountCents, returns) => {
          let returnedCents = 0;
          for (const back of returns) {
            const outcome = returnOutcome({ discountCents, returnedCents }, back);
            expect(outcome.budgetBackCents).toBeGreaterThanOrEqual(0);
            returnedCents += outcome.budgetBackCents;
            expect(outcome.cancels).toBe(returnedCents === discountCents);
          }
          expect(returnedCents).toBeLessThanOrEqual(discountCents);
        },
      ),
    );
  });
});

describe('pointsBackForReturn', () => {
  it.each([
    // spent, sale total, refunded, back before -> back now
    [500, 1_000, 1_000, 0, 500],
    [500, 1_000, 500, 0, 250],
    [500, 1_000, 333, 0, 166],
    [500, 1_000, 2_000, 0, 500],
    [500, 1_000, 1_000, 400, 100],
    [0, 1_000, 1_000, 0, 0],
    [500, 0, 100, 0, 0],
  ])('%i points on %i, %i refunded, %i back before: %i', (spent, total, refunded, before, back) => {
    expect(pointsBackForReturn(spent, total, refunded, before)).toBe(back);
  });

  it('gives back at most the points spent over any run of returns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 6 }),
        (spent, total, refunds) => {
          let back = 0;
          for (const refunded of refunds) back += pointsBackForReturn(spent, total, refunded, back);
          expect(back).toBeLessThanOrEqual(spent);
          expect(back).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('reinstatedState', () => {
  const now = new Date('2026-11-20T12:00:00Z');
  it.each<[string, string, string | null, 'expired' | 'revoked' | null, string]>([
    ['a valid offer never clipped', '2026-12-01T00:00:00Z', null, null, 'issued'],
    ['a valid clipped offer', '2026-12-01T00:00:00Z', '2026-11-02T00:00:00Z', null, 'clipped'],
    ['an offer past its validity', '2026-11-20T12:00:00Z', null, null, 'expired'],
    ['an offer revoked while redeemed', '2026-12-01T00:00:00Z', null, 'revoked', 'revoked'],
    ['an offer expired while redeemed', '2026-12-01T00:00:00Z', null, 'expired', 'expired'],
  ])('%s goes back as %s', (_name, validUntil, clippedAt, withdrawal, state) => {
    expect(reinstatedState({ validUntil, clippedAt, withdrawal }, now)).toBe(state);
  });
});

describe('judgeOfflineOffer', () => {
  const at = new Date('2026-11-20T12:00:00Z');
  const offer = (overrides: Partial<Offer> = {}): Offer =>
    ({
      id: 'o1',
      code: 'A',
      shopperId: 's1',
      ruleId: 'r1',
      reward: { kind: 'amountOff', amountCents: 100, target: { basket: true } },
      state: 'issued',
      validFrom: '2026-11-01T00:00:00Z',
      validUntil: '2026-12-01T00:00:00Z',
      issuedAt: '2026-11-01T00:00:00Z',
      ...DEFAULT_CHECKOUT_TERMS,
      ...overrides,
    }) as Offer;
  const checkout = { storeId: 'store-1', posTransactionId: 'p0' };
  const here = { storeId: 'store-1', posTransactionId: 'p1' };
  const limits = (overrides: Partial<RuleLimits>): RuleLimits => ({
    budget: null,
    cap: null,
    ...overrides,
  });

  it.each<[string, Offer | undefined, string | null, RuleLimits | undefined, OfflineVerdict]>([
    ['a usable offer of the shopper', offer(), 's1', undefined, 'redeem'],
    [
      'a clipped offer',
      offer({ state: 'clipped', clippedAt: '2026-11-02T00:00:00Z' } as Partial<Offer>),
      's1',
      undefined,
      'redeem',
    ],
    ['no such offer', undefined, 's1', undefined, 'unknown-offer'],
    ['an unknown card', offer(), null, undefined, 'other-shopper'],
    ["another household's offer", offer(), 's2', undefined, 'other-shopper'],
    [
      'an offer this sale redeemed already',
      offer({
        state: 'redeemed',
        redeemedAt: '2026-11-20T12:00:00Z',
        checkout: here,
      } as Partial<Offer>),
      's1',
      undefined,
      'redeemed-here',
    ],
    [
      'an offer held for this sale',
      offer({
        state: 'reserved',
        clippedAt: null,
        reservedAt: '2026-11-20T11:59:00Z',
        checkout: here,
      } as Partial<Offer>),
      's1',
      undefined,
      'redeem',
    ],
    [
      'an offer used elsewhere',
      offer({ state: 'redeemed', redeemedAt: '2026-11-19T00:00:00Z', checkout } as Partial<Offer>),
      's1',
      undefined,
      'already-redeemed',
    ],
    [
      'an offer held by another lane',
      offer({
        state: 'reserved',
        clippedAt: null,
        reservedAt: '2026-11-20T11:00:00Z',
        checkout,
      } as Partial<Offer>),
      's1',
      undefined,
      'already-redeemed',
    ],
    [
      'a revoked offer',
      offer({ state: 'revoked', revokedAt: '2026-11-10T00:00:00Z' } as Partial<Offer>),
      's1',
      undefined,
      'withdrawn',
    ],
    [
      'an offer not yet valid then',
      offer({ validFrom: '2026-11-21T00:00:00Z' }),
      's1',
      undefined,
      'not-valid-then',
    ],
    ['an offer of other stores', offer({ stores: ['store-2'] }), 's1', undefined, 'wrong-store'],
    [
      'a spent budget',
      offer(),
      's1',
      limits({ budget: { budgetCents: 1_000, spentCents: 950 } }),
      'budget-exhausted',
    ],
    [
      'a budget that still pays',
      offer(),
      's1',
      limits({ budget: { budgetCents: 1_000, spentCents: 900 } }),
      'redeem',
    ],
    [
      'a reached cap',
      offer(),
      's1',
      limits({ cap: { count: 1, used: 1 } }),
      'household-cap-reached',
    ],
  ])('%s: %s', (_name, judged, shopperId, ruleLimits, verdict) => {
    expect(judgeOfflineOffer(judged, shopperId, here, at, 100, ruleLimits)).toBe(verdict);
  });
});
