import { OfferIssuedV2, TOPICS, deadLetterTopic } from '@loyalty/domain';
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
import { seedShopper } from '../../../test/support/fixtures';
import { findMessage, produce } from '../../../test/support/kafka';

describe('loyalty-api keeps the offer wallet from offer-issued events', () => {
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
      terms: {
        usesPerOffer: 1,
        stores: null,
        priority: 10,
        stacking: 'stackable',
        stackingGroup: null,
        budgetCents: null,
      },
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

  const checkout = (path: string, body: object) =>
    request(app.getHttpServer()).post(`/v1/checkout/${path}`).set('X-Api-Key', apiKey).send(body);

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
});
