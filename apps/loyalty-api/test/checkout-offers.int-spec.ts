import {
  DEFAULT_CHECKOUT_TERMS,
  Offer,
  OfferStatus,
  householdIdForCard,
  isOfferUsable,
} from '@loyalty/domain';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../../test/support/apps';
import { makeCardNumber } from '../../../test/support/factories';
import { CheckoutOffersQuery } from '../src/checkout/checkout-offers.query';

// The checkout's SQL pre-filters (the redemption's and the quote's one-statement read) must
// choose exactly the offers the domain's `isOfferUsable` does.
describe('CheckoutOffersQuery.usableOffers and atTill agree with isOfferUsable', () => {
  let db: DataSource;
  let query: CheckoutOffersQuery;
  const now = new Date('2026-11-20T12:00:00.000Z');
  const ms = (offset: number) => new Date(now.getTime() + offset).toISOString();
  const checkout = { storeId: 'store-1', posTransactionId: 'p1' };

  beforeAll(async () => {
    db = await openDatabase();
    query = new CheckoutOffersQuery(db);
  });

  afterAll(async () => {
    await db.destroy();
  });

  // [name, whose (the shopper asked for or another), status, valid from, valid until]
  const cases: [string, 'own' | 'other', OfferStatus, string, string][] = [
    ['issued, valid', 'own', { state: 'issued' }, ms(-86_400_000), ms(86_400_000)],
    [
      'clipped, valid',
      'own',
      { state: 'clipped', clippedAt: ms(-1_000) },
      ms(-86_400_000),
      ms(86_400_000),
    ],
    [
      'reserved',
      'own',
      { state: 'reserved', clippedAt: null, reservedAt: ms(-1_000), checkout },
      ms(-86_400_000),
      ms(86_400_000),
    ],
    [
      'reserved after clipping',
      'own',
      { state: 'reserved', clippedAt: ms(-2_000), reservedAt: ms(-1_000), checkout },
      ms(-86_400_000),
      ms(86_400_000),
    ],
    [
      'redeemed',
      'own',
      { state: 'redeemed', redeemedAt: ms(-1_000), checkout },
      ms(-86_400_000),
      ms(86_400_000),
    ],
    [
      'expired',
      'own',
      { state: 'expired', expiredAt: ms(-1_000) },
      ms(-86_400_000),
      ms(86_400_000),
    ],
    [
      'revoked',
      'own',
      { state: 'revoked', revokedAt: ms(-1_000) },
      ms(-86_400_000),
      ms(86_400_000),
    ],
    ["another shopper's", 'other', { state: 'issued' }, ms(-86_400_000), ms(86_400_000)],
    ['valid from exactly now', 'own', { state: 'issued' }, ms(0), ms(86_400_000)],
    ['valid from 1 ms after now', 'own', { state: 'issued' }, ms(1), ms(86_400_000)],
    ['valid until exactly now', 'own', { state: 'issued' }, ms(-86_400_000), ms(0)],
    ['valid until 1 ms after now', 'own', { state: 'issued' }, ms(-86_400_000), ms(1)],
    [
      'clipped, past its validity',
      'own',
      { state: 'clipped', clippedAt: ms(-2_000) },
      ms(-86_400_000),
      ms(-1_000),
    ],
  ];

  async function insert(offer: Offer): Promise<void> {
    const at = (status: OfferStatus): string | null => {
      switch (status.state) {
        case 'reserved':
          return status.reservedAt;
        case 'redeemed':
          return status.redeemedAt;
        case 'expired':
          return status.expiredAt;
        case 'revoked':
          return status.revokedAt;
        default:
          return null;
      }
    };
    const held = offer.state === 'reserved' || offer.state === 'redeemed' ? offer.checkout : null;
    await db.query(
      `INSERT INTO loyalty.offers (id, code, shopper_id, rule_id, reward, valid_from, valid_until, issued_at,
                                   state, clipped_at, state_changed_at, store_id, pos_transaction_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        offer.id,
        offer.code,
        offer.shopperId,
        offer.ruleId,
        JSON.stringify(offer.reward),
        offer.validFrom,
        offer.validUntil,
        offer.issuedAt,
        offer.state,
        'clippedAt' in offer ? offer.clippedAt : null,
        at(offer),
        held?.storeId ?? null,
        held?.posTransactionId ?? null,
      ],
    );
  }

  it('on every case of the table', async () => {
    // The household of a card no one registered: the quote finds it by its offers.
    const cardNumber = makeCardNumber();
    const shopperId = householdIdForCard(cardNumber);
    const otherShopperId = randomUUID();
    const offers: Offer[] = cases.map(([, whose, status, validFrom, validUntil]) => ({
      id: randomUUID(),
      code: randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase(),
      shopperId: whose === 'own' ? shopperId : otherShopperId,
      ruleId: randomUUID(),
      reward: { kind: 'amountOff', amountCents: 100, target: { basket: true } },
      validFrom,
      validUntil,
      ...DEFAULT_CHECKOUT_TERMS,
      issuedAt: ms(-86_400_000),
      ...status,
    }));
    for (const offer of offers) await insert(offer);

    // What is stored reads back as it was written, so both sides judge the same offers.
    const stored = await query.offersByCode(
      db.manager,
      offers.map((o) => o.code),
    );
    expect(offers.map((o) => stored.get(o.code))).toEqual(offers);

    const chosen = new Set((await query.usableOffers(db.manager, shopperId, now)).map((o) => o.id));
    const verdicts = cases.map(([name], i) => [name, chosen.has(offers[i].id)]);
    const expected = cases.map(([name], i) => [name, isOfferUsable(offers[i], shopperId, now)]);
    expect(verdicts).toEqual(expected);
    // Both ways a quote reads it: in a transaction, and as a prepared statement.
    for (const manager of [db.manager, null]) {
      const atTill = await query.atTill(manager, cardNumber, 'key', now, 'Europe/London');
      expect(atTill?.offers.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        offers.filter((o) => chosen.has(o.id)).sort((a, b) => a.id.localeCompare(b.id)),
      );
    }
    // The table exercises both answers.
    expect(expected.filter(([, usable]) => usable).length).toBeGreaterThan(1);
    expect(expected.filter(([, usable]) => !usable).length).toBeGreaterThan(1);
  });
});
