import {
  CheckoutRef,
  DEFAULT_CHECKOUT_TERMS,
  Offer,
  OfferStatus,
  clipOffer,
  expireOffer,
  isOfferUsable,
  redeemOffer,
  releaseOffer,
  reissueOffer,
  reserveOffer,
  revokeOffer,
} from './offer';

const now = new Date('2026-11-20T12:00:00.000Z');
const at = now.toISOString();
const earlier = '2026-11-10T00:00:00.000Z';
const here: CheckoutRef = { storeId: 'store-1', posTransactionId: 'p1' };
const elsewhere: CheckoutRef = { storeId: 'store-2', posTransactionId: 'p1' };

const terms = {
  id: 'o1',
  code: 'A',
  shopperId: 's1',
  ruleId: 'r1',
  reward: { kind: 'amountOff' as const, amountCents: 100, target: { basket: true as const } },
  validFrom: '2026-11-01T00:00:00.000Z',
  validUntil: '2026-12-01T00:00:00.000Z',
  issuedAt: '2026-11-01T00:00:00.000Z',
  ...DEFAULT_CHECKOUT_TERMS,
};
const offer = (status: OfferStatus, overrides: Partial<typeof terms> = {}): Offer => ({
  ...terms,
  ...overrides,
  ...status,
});

const issued = offer({ state: 'issued' });
const clipped = offer({ state: 'clipped', clippedAt: earlier });
const reservedHere = offer({
  state: 'reserved',
  clippedAt: null,
  reservedAt: earlier,
  checkout: here,
});
const reservedClipped = offer({
  state: 'reserved',
  clippedAt: earlier,
  reservedAt: earlier,
  checkout: here,
});
const reservedElsewhere = offer({
  state: 'reserved',
  clippedAt: null,
  reservedAt: earlier,
  checkout: elsewhere,
});
const redeemed = offer({ state: 'redeemed', redeemedAt: earlier, checkout: here });
const expired = offer({ state: 'expired', expiredAt: earlier });
const revoked = offer({ state: 'revoked', revokedAt: earlier });
const pastValidity = offer({ state: 'issued' }, { validUntil: at });

type Transition = (offer: Offer) => Offer;
const clip: Transition = (o) => clipOffer(o, now);
const reserve: Transition = (o) => reserveOffer(o, here, now);
const release: Transition = (o) => releaseOffer(o, here);
const redeem: Transition = (o) => redeemOffer(o, here, now);
const expire: Transition = (o) => expireOffer(o, now);
const revoke: Transition = (o) => revokeOffer(o, now);

// [transition, from, to (the status after) or the error code]
const table: [string, Transition, string, Offer, OfferStatus | string][] = [
  ['clip', clip, 'issued', issued, { state: 'clipped', clippedAt: at }],
  ['clip', clip, 'clipped', clipped, { state: 'clipped', clippedAt: earlier }],
  ['clip', clip, 'reserved', reservedHere, 'OFFER_RESERVED'],
  ['clip', clip, 'redeemed', redeemed, 'OFFER_ALREADY_REDEEMED'],
  ['clip', clip, 'expired', expired, 'OFFER_EXPIRED'],
  ['clip', clip, 'revoked', revoked, 'OFFER_REVOKED'],
  ['clip', clip, 'issued past its validity', pastValidity, 'OFFER_EXPIRED'],

  [
    'reserve',
    reserve,
    'issued',
    issued,
    { state: 'reserved', clippedAt: null, reservedAt: at, checkout: here },
  ],
  [
    'reserve',
    reserve,
    'clipped',
    clipped,
    { state: 'reserved', clippedAt: earlier, reservedAt: at, checkout: here },
  ],
  [
    'reserve',
    reserve,
    'reserved by the same checkout',
    reservedHere,
    { state: 'reserved', clippedAt: null, reservedAt: earlier, checkout: here },
  ],
  ['reserve', reserve, 'reserved by another checkout', reservedElsewhere, 'OFFER_RESERVED'],
  ['reserve', reserve, 'redeemed', redeemed, 'OFFER_ALREADY_REDEEMED'],
  ['reserve', reserve, 'expired', expired, 'OFFER_EXPIRED'],
  ['reserve', reserve, 'revoked', revoked, 'OFFER_REVOKED'],
  ['reserve', reserve, 'issued past its validity', pastValidity, 'OFFER_EXPIRED'],

  ['release', release, 'reserved from issued', reservedHere, { state: 'issued' }],
  [
    'release',
    release,
    'reserved from clipped',
    reservedClipped,
    { state: 'clipped', clippedAt: earlier },
  ],
  ['release', release, 'reserved by another checkout', reservedElsewhere, 'OFFER_STATE_CONFLICT'],
  ['release', release, 'issued', issued, 'OFFER_STATE_CONFLICT'],
  ['release', release, 'redeemed', redeemed, 'OFFER_STATE_CONFLICT'],

  ['redeem', redeem, 'issued', issued, { state: 'redeemed', redeemedAt: at, checkout: here }],
  ['redeem', redeem, 'clipped', clipped, { state: 'redeemed', redeemedAt: at, checkout: here }],
  [
    'redeem',
    redeem,
    'reserved by the same checkout',
    reservedHere,
    { state: 'redeemed', redeemedAt: at, checkout: here },
  ],
  ['redeem', redeem, 'reserved by another checkout', reservedElsewhere, 'OFFER_RESERVED'],
  ['redeem', redeem, 'redeemed', redeemed, 'OFFER_ALREADY_REDEEMED'],
  ['redeem', redeem, 'expired', expired, 'OFFER_EXPIRED'],
  ['redeem', redeem, 'revoked', revoked, 'OFFER_REVOKED'],
  ['redeem', redeem, 'issued past its validity', pastValidity, 'OFFER_EXPIRED'],

  ['expire', expire, 'issued', issued, { state: 'expired', expiredAt: at }],
  ['expire', expire, 'clipped', clipped, { state: 'expired', expiredAt: at }],
  ['expire', expire, 'reserved', reservedHere, { state: 'expired', expiredAt: at }],
  ['expire', expire, 'expired', expired, { state: 'expired', expiredAt: earlier }],
  ['expire', expire, 'redeemed', redeemed, 'OFFER_ALREADY_REDEEMED'],
  ['expire', expire, 'revoked', revoked, 'OFFER_REVOKED'],

  ['revoke', revoke, 'issued', issued, { state: 'revoked', revokedAt: at }],
  ['revoke', revoke, 'clipped', clipped, { state: 'revoked', revokedAt: at }],
  ['revoke', revoke, 'reserved', reservedHere, { state: 'revoked', revokedAt: at }],
  ['revoke', revoke, 'revoked', revoked, { state: 'revoked', revokedAt: earlier }],
  ['revoke', revoke, 'redeemed', redeemed, 'OFFER_ALREADY_REDEEMED'],
  ['revoke', revoke, 'expired', expired, 'OFFER_EXPIRED'],
];

describe('offer transitions', () => {
  it.each(table)('%s from %s', (_name, transition, _from, from, expected) => {
    if (typeof expected === 'string') {
      expect(() => transition(from)).toThrow(
        expect.objectContaining({ code: expected, field: 'offerCodes' }),
      );
      return;
    }
    // Every term of the offer kept, whatever the state.
    const kept = Object.fromEntries(
      Object.keys(terms).map((key) => [key, from[key as keyof typeof terms]]),
    );
    expect(transition(from)).toEqual({ ...kept, ...expected });
  });

  it('leaves the offer it was given unchanged', () => {
    const before = structuredClone(issued);
    redeem(issued);
    expect(issued).toEqual(before);
  });
});

// The same table drives the SQL pre-filter's int-spec (apps/loyalty-api/test/checkout-offers.int-spec.ts).
describe('isOfferUsable', () => {
  it.each<[string, Offer, string, boolean]>([
    ['issued, valid, own', issued, 's1', true],
    ['clipped, valid, own', clipped, 's1', true],
    ["another shopper's", issued, 's2', false],
    ['reserved', reservedHere, 's1', false],
    ['redeemed', redeemed, 's1', false],
    ['expired', expired, 's1', false],
    ['revoked', revoked, 's1', false],
    ['valid from now', offer({ state: 'issued' }, { validFrom: at }), 's1', true],
    [
      'not yet valid',
      offer({ state: 'issued' }, { validFrom: '2026-11-20T12:00:00.001Z' }),
      's1',
      false,
    ],
    ['valid until now (exclusive)', pastValidity, 's1', false],
    [
      'valid until just after now',
      offer({ state: 'issued' }, { validUntil: '2026-11-20T12:00:00.001Z' }),
      's1',
      true,
    ],
  ])('%s: %s', (_name, o, shopperId, usable) => {
    expect(isOfferUsable(o, shopperId, now)).toBe(usable);
  });
});

describe('reissueOffer', () => {
  const policy = { expiredWithinDays: 30, validForDays: 7 };
  const until = '2026-11-27T12:00:00.000Z';
  // Expired by the engine on 2026-11-10 (validity ended then).
  const ended = { validUntil: earlier };
  const expiredOffer = offer({ state: 'expired', expiredAt: earlier }, ended);

  it.each<[string, Offer, Offer]>([
    ['expired -> issued', expiredOffer, offer({ state: 'issued' }, { validUntil: until })],
    [
      'issued past its validity -> issued',
      offer({ state: 'issued' }, ended),
      offer({ state: 'issued' }, { validUntil: until }),
    ],
    [
      'clipped past its validity -> clipped as it was',
      offer({ state: 'clipped', clippedAt: '2026-11-02T00:00:00.000Z' }, ended),
      offer({ state: 'clipped', clippedAt: '2026-11-02T00:00:00.000Z' }, { validUntil: until }),
    ],
    [
      'a clip-only offer comes back clipped',
      { ...expiredOffer, clipRequired: true },
      { ...offer({ state: 'clipped', clippedAt: at }, { validUntil: until }), clipRequired: true },
    ],
  ])('%s', (_name, before, after) => {
    expect(reissueOffer(before, now, policy, false)).toEqual(after);
  });

  it.each<[string, Offer, boolean, string]>([
    ['redeemed', redeemed, false, 'OFFER_ALREADY_REDEEMED'],
    ['revoked', revoked, false, 'OFFER_REVOKED'],
    ['reserved', reservedHere, false, 'OFFER_RESERVED'],
    ['still valid', issued, false, 'OFFER_STATE_CONFLICT'],
    ['reissued once already', expiredOffer, true, 'OFFER_REISSUE_REFUSED'],
    [
      'expired more than 30 days ago',
      offer(
        { state: 'expired', expiredAt: '2026-10-20T11:59:59.999Z' },
        { validUntil: '2026-10-20T11:59:59.999Z' },
      ),
      false,
      'OFFER_REISSUE_REFUSED',
    ],
  ])('refuses %s', (_name, before, reissuedBefore, code) => {
    expect(() => reissueOffer(before, now, policy, reissuedBefore)).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('reissues one that expired exactly 30 days ago', () => {
    const thirtyDays = '2026-10-21T12:00:00.000Z';
    const old = offer({ state: 'expired', expiredAt: thirtyDays }, { validUntil: thirtyDays });
    expect(reissueOffer(old, now, policy, false).validUntil).toBe(until);
  });
});
