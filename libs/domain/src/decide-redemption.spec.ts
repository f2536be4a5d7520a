import { BasketLine } from './allocate-discounts';
import { OfferOnFile, RedemptionRequest, decideRedemption } from './decide-redemption';

const now = new Date('2026-11-20T12:00:00Z');
const lines: BasketLine[] = [
  { sku: 'milk', department: 'DAIRY', quantity: 1, amountCents: 400 },
  { sku: 'bread', department: 'BAKERY', quantity: 1, amountCents: 600 },
];

function offer(code: string, overrides: Partial<OfferOnFile> = {}): OfferOnFile {
  return {
    id: `id-${code}`,
    code,
    shopperId: 's1',
    ruleId: 'r1',
    reward: { kind: 'amountOff', amountCents: 100, target: { scope: 'basket' } },
    state: 'issued',
    validFrom: '2026-11-01T00:00:00Z',
    validUntil: '2026-12-01T00:00:00Z',
    issuedAt: '2026-11-01T00:00:00Z',
    redemption: null,
    ...overrides,
  };
}

const request: RedemptionRequest = {
  shopperId: 's1',
  storeId: 'store-1',
  posTransactionId: 'p1',
  codes: ['A'],
  lines,
};
const onFile = (...offers: OfferOnFile[]) => new Map(offers.map((o) => [o.code, o]));

describe('decideRedemption', () => {
  it('redeems a live offer of the shopper that applies to the basket', () => {
    const decision = decideRedemption(request, onFile(offer('A')), now);
    expect(decision.kind).toBe('redeem');
    expect(decision.quote.discountCents).toBe(100);
  });

  it('applies several offers in the checkout order, whatever the order of the request', () => {
    const older = offer('B', {
      issuedAt: '2026-10-01T00:00:00Z',
      reward: {
        kind: 'percentOff',
        percent: 50,
        target: { scope: 'department', department: 'DAIRY' },
      },
    });
    const decision = decideRedemption(
      { ...request, codes: ['A', 'B'] },
      onFile(offer('A'), older),
      now,
    );
    expect(decision.quote.appliedOffers.map((o) => [o.code, o.discountCents])).toEqual([
      ['B', 200],
      ['A', 100],
    ]);
  });

  it('replays a retry of the same checkout without redeeming again', () => {
    const redeemed = offer('A', {
      state: 'redeemed',
      redemption: { storeId: 'store-1', posTransactionId: 'p1' },
    });
    const decision = decideRedemption(request, onFile(redeemed), now);
    expect(decision).toEqual({
      kind: 'replay',
      quote: expect.objectContaining({ discountCents: 100 }),
    });
  });

  it.each<[string, Partial<OfferOnFile> | null, RedemptionRequest, string]>([
    ['an unknown code', null, request, 'OFFER_NOT_FOUND'],
    ["another shopper's offer", { shopperId: 's2' }, request, 'OFFER_NOT_FOUND'],
    [
      'an offer redeemed by another checkout',
      { redemption: { storeId: 'store-1', posTransactionId: 'p0' } },
      request,
      'OFFER_ALREADY_REDEEMED',
    ],
    [
      'the same id at another store',
      { redemption: { storeId: 'store-2', posTransactionId: 'p1' } },
      request,
      'OFFER_ALREADY_REDEEMED',
    ],
    ['an offer marked redeemed', { state: 'redeemed' }, request, 'OFFER_ALREADY_REDEEMED'],
    ['a revoked offer', { state: 'revoked' }, request, 'OFFER_REVOKED'],
    ['an expired offer', { state: 'expired' }, request, 'OFFER_EXPIRED'],
    [
      'an offer past its validity',
      { validUntil: '2026-11-20T12:00:00Z' },
      request,
      'OFFER_EXPIRED',
    ],
    ['an offer not yet valid', { validFrom: '2026-11-21T00:00:00Z' }, request, 'OFFER_EXPIRED'],
    [
      'an offer that gives nothing on this basket',
      {
        reward: {
          kind: 'percentOff',
          percent: 10,
          target: { scope: 'department', department: 'MEAT' },
        },
      },
      request,
      'OFFER_NOT_APPLICABLE',
    ],
  ])('refuses %s', (_name, overrides, req, code) => {
    const offers = overrides ? onFile(offer('A', overrides)) : onFile();
    expect(() => decideRedemption(req, offers, now)).toThrow(
      expect.objectContaining({ code, field: 'offerCodes' }),
    );
  });

  it('refuses all when one of several offers cannot be redeemed', () => {
    const offers = onFile(offer('A'), offer('B', { state: 'revoked' }));
    expect(() => decideRedemption({ ...request, codes: ['A', 'B'] }, offers, now)).toThrow(
      expect.objectContaining({ code: 'OFFER_REVOKED' }),
    );
  });
});
