import { OfferIssuedV2, OfferWithdrawnV1, TOPICS, deadLetterTopic } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  createTerminal,
  eventually,
  openDatabase,
  startLoyaltyApi,
} from '../../../test/support/apps';
import { makeDepartment } from '../../../test/support/factories';
import { makeOfferTerms, seedShopper } from '../../../test/support/fixtures';
import { findMessage, produce } from '../../../test/support/kafka';

describe('loyalty-api keeps the offer wallet from offer-issued and offer-withdrawn events', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let apiKey: string;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startLoyaltyApi();
    apiKey = await createTerminal(db, 'store-31', 'lane-1');
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  function offerIssued(shopperId: string, department: string): OfferIssuedV2 {
    return {
      offerId: randomUUID(),
      code: randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase(),
      householdId: shopperId,
      ruleId: randomUUID(),
      ruleVersion: 1,
      reward: { kind: 'amountOff', amountCents: 50, target: { department } },
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2099-01-01T00:00:00.000Z',
      issuedAt: '2026-01-01T00:00:00.000Z',
      terms: makeOfferTerms(),
      reason: { everyone: true, held: true },
    };
  }

  const publish = (...values: { key: string; value: string }[]) =>
    produce(TOPICS.offerIssuedV2, values);
  const asMessage = (event: OfferIssuedV2) => ({
    key: event.householdId,
    value: JSON.stringify(event),
  });

  const walletOf = (shopperId: string) =>
    db.query(
      `SELECT id, code, state, store_id, pos_transaction_id FROM loyalty.offers
        WHERE shopper_id = $1 ORDER BY code`,
      [shopperId],
    ) as Promise<Record<string, unknown>[]>;

  const checkout = (path: string, body: Record<string, unknown>) =>
    request(app.getHttpServer())
      .post(`/v1/checkout/${path}`)
      .set('X-Api-Key', apiKey)
      .set('Idempotency-Key', `key:${String(body.posTransactionId)}`)
      .send(body);

  it('puts an issued offer in the wallet, where the checkout finds and redeems it', async () => {
    const { shopperId, cardNumber } = await seedShopper(db);
    const department = makeDepartment();
    const event = offerIssued(shopperId, department);
    await publish(asMessage(event));
    await eventually(async () => (await walletOf(shopperId)).length === 1);
    expect(await walletOf(shopperId)).toEqual([
      {
        id: event.offerId,
        code: event.code,
        state: 'issued',
        store_id: null,
        pos_transaction_id: null,
      },
    ]);

    const lines = [{ sku: 'a', department, quantity: 1, amountCents: 500 }];
    const quote = await checkout('quote', { cardNumber, lines }).expect(200);
    expect(quote.body.offers).toEqual([
      expect.objectContaining({ code: event.code, discountCents: 50 }),
    ]);
    await checkout('redemptions', {
      cardNumber,
      lines,
      posTransactionId: 'store-31:lane-1:1',
      offerCodes: [event.code],
    }).expect(200);

    // Redelivered after the redemption: the wallet keeps what it decided since.
    const marker = offerIssued(shopperId, department);
    await publish(asMessage(event), asMessage(event), asMessage(marker));
    await eventually(async () => (await walletOf(shopperId)).length === 2);
    const [redeemed] = (await walletOf(shopperId)).filter((o) => o.id === event.offerId);
    expect(redeemed).toMatchObject({ state: 'redeemed', pos_transaction_id: 'store-31:lane-1:1' });
  });

  it.each([
    ['not JSON', () => 'not json'],
    [
      'a reward it cannot price',
      (e: OfferIssuedV2) => JSON.stringify({ ...e, reward: { kind: 'freeLunch' } }),
    ],
    [
      'a reward out of its bounds',
      (e: OfferIssuedV2) =>
        JSON.stringify({
          ...e,
          reward: { kind: 'percentOff', percent: 500, target: { basket: true } },
        }),
    ],
    ['no offer id', (e: OfferIssuedV2) => JSON.stringify({ ...e, offerId: undefined })],
    ['no terms', (e: OfferIssuedV2) => JSON.stringify({ ...e, terms: undefined })],
    ['a code with spaces', (e: OfferIssuedV2) => JSON.stringify({ ...e, code: 'A B' })],
  ])('dead-letters a message with %s and keeps consuming', async (_name, poison) => {
    const { shopperId } = await seedShopper(db);
    const bad = offerIssued(shopperId, makeDepartment());
    const good = offerIssued(shopperId, makeDepartment());
    const value = poison(bad);
    const [landed] = await produce(TOPICS.offerIssuedV2, [{ key: shopperId, value }]);
    await publish(asMessage(good));
    await eventually(async () => (await walletOf(shopperId)).length === 1);
    expect((await walletOf(shopperId)).map((o) => o.id)).toEqual([good.offerId]);
    const dead = await findMessage(
      deadLetterTopic(TOPICS.offerIssuedV2),
      (m) => m.key?.toString() === shopperId,
    );
    expect(dead.value?.toString()).toBe(value);
    expect(dead.headers?.['dlq-original-offset']?.toString()).toBe(landed.baseOffset);
    expect(dead.headers?.['dlq-reason']?.toString()).toBeTruthy();
  });
  const withdrawn = (
    offer: OfferIssuedV2,
    cause: OfferWithdrawnV1['cause'] = 'rule-ended',
    withdrawnAt = '2026-06-01T12:00:00.000Z',
  ): OfferWithdrawnV1 => ({
    offerId: offer.offerId,
    householdId: offer.householdId,
    ruleId: offer.ruleId,
    ruleVersion: offer.ruleVersion,
    kind: cause === 'validity-ended' ? 'expired' : 'revoked',
    cause,
    withdrawnAt,
  });
  const publishWithdrawn = (...events: OfferWithdrawnV1[]) =>
    produce(
      TOPICS.offerWithdrawn,
      events.map((e) => ({ key: e.householdId, value: JSON.stringify(e) })),
    );

  const stateOf = async (offerId: string) => {
    const [row]: { state: string; state_changed_at: Date | null }[] = await db.query(
      `SELECT state, state_changed_at FROM loyalty.offers WHERE id = $1`,
      [offerId],
    );
    return row;
  };
  const recorded = (offerId: string) =>
    eventually(async () => {
      const rows = await db.query(`SELECT 1 FROM loyalty.offer_withdrawals WHERE offer_id = $1`, [
        offerId,
      ]);
      return rows.length > 0;
    });

  it('expires and revokes issued and clipped offers, which the checkout then leaves out', async () => {
    const { shopperId, cardNumber } = await seedShopper(db);
    const department = makeDepartment();
    const issued = offerIssued(shopperId, department);
    const clipped = offerIssued(shopperId, department);
    await publish(asMessage(issued), asMessage(clipped));
    await eventually(async () => (await walletOf(shopperId)).length === 2);
    await db.query(
      `UPDATE loyalty.offers SET state = 'clipped', clipped_at = now() WHERE id = $1`,
      [clipped.offerId],
    );

    await publishWithdrawn(
      withdrawn(issued, 'validity-ended', '2026-05-01T00:00:00.000Z'),
      withdrawn(clipped, 'consent-withdrawn'),
    );
    await recorded(clipped.offerId);
    expect(await stateOf(issued.offerId)).toEqual({
      state: 'expired',
      state_changed_at: new Date('2026-05-01T00:00:00.000Z'),
    });
    expect(await stateOf(clipped.offerId)).toEqual({
      state: 'revoked',
      state_changed_at: new Date('2026-06-01T12:00:00.000Z'),
    });
    const lines = [{ sku: 'a', department, quantity: 1, amountCents: 500 }];
    const quote = await checkout('quote', { cardNumber, lines }).expect(200);
    expect(quote.body.offers).toEqual([]);
  });

  it('puts an offer whose withdrawal came first into the wallet withdrawn', async () => {
    const { shopperId } = await seedShopper(db);
    const offer = offerIssued(shopperId, makeDepartment());
    await publishWithdrawn(withdrawn(offer));
    await recorded(offer.offerId);
    expect(await walletOf(shopperId)).toEqual([]);

    await publish(asMessage(offer));
    await eventually(async () => (await walletOf(shopperId)).length === 1);
    expect(await stateOf(offer.offerId)).toEqual({
      state: 'revoked',
      state_changed_at: new Date('2026-06-01T12:00:00.000Z'),
    });
  });

  it('leaves a redeemed offer as it is, and takes a redelivered withdrawal once', async () => {
    const { shopperId, cardNumber } = await seedShopper(db);
    const department = makeDepartment();
    const used = offerIssued(shopperId, department);
    const withdrawnTwice = offerIssued(shopperId, department);
    await publish(asMessage(used), asMessage(withdrawnTwice));
    await eventually(async () => (await walletOf(shopperId)).length === 2);
    const posTransactionId = `store-31:lane-1:${randomUUID()}`;
    await checkout('redemptions', {
      cardNumber,
      lines: [{ sku: 'a', department, quantity: 1, amountCents: 500 }],
      posTransactionId,
      offerCodes: [used.code],
    }).expect(200);
    const redeemed = await stateOf(used.offerId);

    await publishWithdrawn(withdrawn(used), withdrawn(withdrawnTwice, 'validity-ended'));
    await recorded(withdrawnTwice.offerId);
    await recorded(used.offerId);
    expect(await stateOf(used.offerId)).toEqual(redeemed);
    expect(redeemed.state).toBe('redeemed');
    expect(await stateOf(withdrawnTwice.offerId)).toEqual({
      state: 'expired',
      state_changed_at: new Date('2026-06-01T12:00:00.000Z'),
    });

    // Again, also as another withdrawal; then one more offer's, in the same partition.
    const marker = offerIssued(shopperId, department);
    await publish(asMessage(marker));
    await eventually(async () => (await walletOf(shopperId)).length === 3);
    await publishWithdrawn(
      withdrawn(withdrawnTwice, 'validity-ended'),
      withdrawn(withdrawnTwice, 'rule-ended', '2026-07-01T00:00:00.000Z'),
      withdrawn(marker),
    );
    await recorded(marker.offerId);
    expect(await stateOf(withdrawnTwice.offerId)).toEqual({
      state: 'expired',
      state_changed_at: new Date('2026-06-01T12:00:00.000Z'),
    });
    expect(
      await db.query(`SELECT kind, cause FROM loyalty.offer_withdrawals WHERE offer_id = $1`, [
        withdrawnTwice.offerId,
      ]),
    ).toEqual([{ kind: 'expired', cause: 'validity-ended' }]);
  });

  it.each([
    ['not JSON', () => 'not json'],
    ['no offer id', (e: OfferWithdrawnV1) => JSON.stringify({ ...e, offerId: undefined })],
    ['an unknown cause', (e: OfferWithdrawnV1) => JSON.stringify({ ...e, cause: 'whim' })],
    [
      'a kind its cause does not make',
      (e: OfferWithdrawnV1) => JSON.stringify({ ...e, kind: 'expired', cause: 'rule-ended' }),
    ],
    ['no rule version', (e: OfferWithdrawnV1) => JSON.stringify({ ...e, ruleVersion: undefined })],
    ['a time that is none', (e: OfferWithdrawnV1) => JSON.stringify({ ...e, withdrawnAt: 'soon' })],
  ])('dead-letters a withdrawal with %s and keeps consuming', async (_name, poison) => {
    const { shopperId } = await seedShopper(db);
    const bad = offerIssued(shopperId, makeDepartment());
    const good = offerIssued(shopperId, makeDepartment());
    await publish(asMessage(bad), asMessage(good));
    await eventually(async () => (await walletOf(shopperId)).length === 2);
    const value = poison(withdrawn(bad));
    const [landed] = await produce(TOPICS.offerWithdrawn, [{ key: shopperId, value }]);
    await publishWithdrawn(withdrawn(good));
    await recorded(good.offerId);
    expect((await stateOf(bad.offerId)).state).toBe('issued');
    expect((await stateOf(good.offerId)).state).toBe('revoked');
    const dead = await findMessage(
      deadLetterTopic(TOPICS.offerWithdrawn),
      (m) => m.key?.toString() === shopperId,
    );
    expect(dead.value?.toString()).toBe(value);
    expect(dead.headers?.['dlq-original-offset']?.toString()).toBe(landed.baseOffset);
    expect(dead.headers?.['dlq-reason']?.toString()).toBeTruthy();
  });
});
