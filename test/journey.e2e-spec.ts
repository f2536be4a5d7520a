import { TOPICS } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { couponEngineEventGroups } from '../apps/coupon-engine/src/event-groups';
import {
  createTerminal,
  eventually,
  openDatabase,
  startCouponEngine,
  startLoyaltyApi,
  startPosIngestWithOwnGroup,
  tokenFor,
} from './support/apps';
import {
  makeCardNumber,
  makeDepartment,
  makeLine,
  makeRule,
  makeTransaction,
} from './support/factories';
import { findMessage, waitForDrain } from './support/kafka';
import { startSmtpServer } from './support/smtp-server';
import { LoyaltyApiConfig } from '../apps/loyalty-api/src/config';
import { MessageDeliveryService } from '../apps/loyalty-api/src/messages/message-delivery.service';
import { loyaltyApiEventGroups } from '../apps/loyalty-api/src/offers/offer-wallet.consumer';

// Bounds of the waits, for a machine at least twice as slow as ours: a sale's way through Kafka,
// the projector, the outbox and the coupon engine to an offer takes well under a second here.
const FLOW_MS = 30_000;
const DRAIN_MS = 30_000;
// The engine's and the wallet's groups read shared topics: other test files running meanwhile may
// put a backlog ahead of this sale (a campaign test's tens of thousands of offers).
const BACKLOG_MS = 180_000;
// Starting the apps, the HTTP calls and queries.
const MARGIN_MS = 30_000;
// For the file's one test: longer than the waits inside it.
jest.setTimeout(5 * FLOW_MS + 3 * DRAIN_MS + 2 * BACKLOG_MS + MARGIN_MS);

// The journey: enrolment -> card swipe -> Kafka -> profile facts -> offer -> the shopper's email
// (through a real SMTP server) -> quote -> redeemed once.
describe('journey: from card swipe to redeemed offer', () => {
  let posIngest: NestFastifyApplication;
  let projectorGroup: string;
  let couponEngine: NestFastifyApplication;
  const enginePrefix = `coupon-engine.journey-${randomUUID()}`;
  let loyaltyApi: NestFastifyApplication;
  let db: DataSource;
  let laneOne: string;
  let laneTwo: string;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  beforeAll(async () => {
    db = await openDatabase();
    smtp = await startSmtpServer();
    // startLoyaltyApi configures the app from the environment.
    process.env.SMTP_URL = smtp.url;
    let ingest: { app: NestFastifyApplication; groupId: string };
    [ingest, couponEngine, loyaltyApi] = await Promise.all([
      // The projector's topic is shared with every test file running meanwhile: a backlog of
      // their sales ahead of this one must not leave its refresh to the once-a-minute job.
      startPosIngestWithOwnGroup({ PROFILE_REFRESH_MAX_LAG: '10000000' }),
      startCouponEngine(enginePrefix),
      startLoyaltyApi(),
    ]);
    ({ app: posIngest, groupId: projectorGroup } = ingest);
    laneOne = await createTerminal(db, 'store-100', 'lane-1');
    laneTwo = await createTerminal(db, 'store-100', 'lane-2');
  }, 60_000);

  afterAll(async () => {
    delete process.env.SMTP_URL;
    await Promise.all([posIngest, couponEngine, loyaltyApi].map((app) => app.close()));
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    await db.destroy();
  });

  it('issues an offer from a purchase and lets the POS redeem it exactly once', async () => {
    const department = makeDepartment();
    const cardNumber = makeCardNumber();

    // 6. Marketing defines the rule over the API and activates it: households that spent 10.00
    // in the department get 10% off it.
    const marketer = { Authorization: `Bearer ${tokenFor('marketer')}` };
    const rule = await request(loyaltyApi.getHttpServer())
      .post('/v1/rules')
      .set(marketer)
      .send(makeRule(department, { atLeast: 1_000 }))
      .expect(201);
    await request(loyaltyApi.getHttpServer())
      .post(`/v1/rules/${rule.body.id}/status`)
      .set(marketer)
      .send({ status: 'active' })
      .expect(200);
    // The rule reaches the coupon engine by event; a sale projected before it would meet no rule.
    await eventually(
      async () => {
        const copies = await db.query(
          `SELECT 1 FROM coupons.rule_states WHERE rule_id = $1 AND status = 'active'`,
          [rule.body.id],
        );
        return copies.length === 1;
      },
      FLOW_MS,
      "the rule's copy in the coupon engine",
    );

    // 0. The shopper enrols at the service desk with the card, and agrees to personalised offers
    // and to email.
    const support = { Authorization: `Bearer ${tokenFor('support')}` };
    const email = `jo+${randomUUID()}@example.com`;
    const enrolled = await request(loyaltyApi.getHttpServer())
      .post('/v1/support/households')
      .set(support)
      .send({
        givenName: 'Jo',
        familyName: 'Journey',
        email,
        cardNumber,
      })
      .expect(201);
    const householdId: string = enrolled.body.householdId;
    await request(loyaltyApi.getHttpServer())
      .put(`/v1/support/households/${householdId}/consent`)
      .set(support)
      .send({
        email: true,
        sms: false,
        personalisedOffers: true,
        profiling: true,
        reason: 'Asked at the service desk',
      })
      .expect(200);
    await eventually(
      async () => {
        const copies = await db.query(
          `SELECT 1 FROM coupons.household_facts
            WHERE household_id = $1 AND consent_personalised_offers`,
          [householdId],
        );
        return copies.length === 1;
      },
      FLOW_MS,
      "the household's consent in the coupon engine's copy",
    );

    // 1. The POS posts a sale; 202 means the broker has it.
    const sale = makeTransaction({
      storeId: 'store-100',
      cardNumber,
      lines: [
        makeLine({ department, amountCents: 800, unitPriceCents: 400, quantity: 2 }),
        makeLine({
          department,
          sku: 'cheese',
          amountCents: 450,
          unitPriceCents: 846,
          quantity: 0.532,
        }),
      ],
    });
    await request(posIngest.getHttpServer())
      .post('/v1/transactions')
      .set('X-Api-Key', laneOne)
      .send(sale)
      .expect(202);

    // 2-4. The projector builds the profile; right after its batch, the household's products are
    // folded and its facts published; the engine issues the offer, the quote shows it.
    const basket = {
      cardNumber,
      lines: [
        { sku: 'milk', department, quantity: 1, amountCents: 250 },
        { sku: 'bread', department: 'BAKERY', quantity: 1, amountCents: 300 },
      ],
    };
    const quoteOf = async (apiKey: string) =>
      (
        await request(loyaltyApi.getHttpServer())
          .post('/v1/checkout/quote')
          .set('X-Api-Key', apiKey)
          .send(basket)
          .expect(200)
      ).body;
    await eventually(
      async () => {
        const issued = await db.query(
          `SELECT 1 FROM coupons.offers WHERE shopper_id = $1 AND rule_id = $2`,
          [householdId, rule.body.id],
        );
        const unsent = await db.query(`SELECT 1 FROM coupons.outbox WHERE key = $1`, [householdId]);
        return issued.length > 0 && unsent.length === 0;
      },
      BACKLOG_MS,
      'the offer issued by the coupon engine and sent',
    );
    // The wallet has read offer-issued.v2 to its end, past whatever was issued ahead of it.
    const { offerWallet } = loyaltyApiEventGroups(
      loyaltyApi.get(LoyaltyApiConfig).LOYALTY_API_GROUP_PREFIX,
    );
    await waitForDrain(offerWallet.groupId, offerWallet.topic, BACKLOG_MS);
    expect((await quoteOf(laneTwo)).offers).toHaveLength(1);
    // Everything the sale caused is done (a second offer would be issued by now): the projector
    // and the engine's profile facts consumer have committed their topics to the end.
    await waitForDrain(projectorGroup, TOPICS.transactionRecorded, DRAIN_MS);
    const { profileFacts } = couponEngineEventGroups(enginePrefix);
    await waitForDrain(profileFacts.groupId, profileFacts.topic, DRAIN_MS);
    const quote = await quoteOf(laneTwo);
    expect(quote).toMatchObject({
      cardKnown: true,
      subtotalCents: 550,
      discountCents: 25,
      totalCents: 525,
      offers: [{ discountCents: 25, lines: [{ lineIndex: 0, discountCents: 25 }] }],
    });
    const code: string = quote.offers[0].code;
    const [offer] = await db.query(`SELECT * FROM coupons.offers WHERE code = $1`, [code]);
    expect(offer).toMatchObject({
      rule_id: rule.body.id,
      rule_version: 1,
      reason: {
        held: true,
        all: [
          { fact: 'consent', held: true },
          { fact: 'productSpend', item: { department }, atLeast: 1_000, actual: 1_250, held: true },
        ],
      },
    });

    // The shopper hears of it by email, once, with the code to show at the till.
    const delivery = loyaltyApi.get(MessageDeliveryService);
    await eventually(
      async () => {
        await delivery.deliverDue();
        return smtp.mail.some((m) => m.to.includes(email));
      },
      FLOW_MS,
      'the offer email at the SMTP server',
    );
    const mails = smtp.mail.filter((m) => m.to.includes(email));
    expect(mails).toHaveLength(1);
    expect(mails[0].raw).toContain(code);
    expect(mails[0].raw).not.toContain(cardNumber);

    // 5. Two lanes race to redeem it: one wins, the other gets a 409 with a stable code.
    // As the POS does: past the lane budget (503), the same request is sent again under the same
    // Idempotency-Key, and answered as its first attempt committed.
    const redeem = async (apiKey: string, posTransactionId: string) => {
      for (;;) {
        const response = await request(loyaltyApi.getHttpServer())
          .post('/v1/checkout/redemptions')
          .set('X-Api-Key', apiKey)
          .set('Idempotency-Key', posTransactionId)
          .send({ ...basket, posTransactionId, offerCodes: [code] });
        if (response.status !== 503) return response;
      }
    };
    const results = await Promise.all([redeem(laneOne, 'r-1'), redeem(laneTwo, 'r-2')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 200)?.body).toMatchObject({
      discountCents: 25,
      totalCents: 525,
    });
    expect(results.find((r) => r.status === 409)?.body).toMatchObject({
      code: 'OFFER_ALREADY_REDEEMED',
    });
    expect((await redeem(laneOne, 'r-3')).status).toBe(409);

    // The wallet marked it redeemed with the redemption; the event goes out for later consumers.
    const [wallet] = await db.query(`SELECT state FROM loyalty.offers WHERE code = $1`, [code]);
    expect(wallet.state).toBe('redeemed');
    const redeemed = await findMessage(
      TOPICS.offerRedeemed,
      (m) => m.value!.toString().includes(code),
      FLOW_MS,
    );
    expect(JSON.parse(redeemed.value!.toString())).toMatchObject({ code, storeId: 'store-100' });
    expect((await quoteOf(laneOne)).offers).toEqual([]);
  });
});
