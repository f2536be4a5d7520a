import { Reward, TOPICS } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SettlementTransactionDto } from '../src/checkout/settlement.dto';
import { SettlementService } from '../src/checkout/settlement.service';
import {
  createTerminal,
  eventually,
  openDatabase,
  startLoyaltyApi,
  tokenFor,
} from '../../../test/support/apps';
import { makeTransaction } from '../../../test/support/factories';
import {
  makeRule,
  seedOffer,
  seedPoints,
  seedRule,
  seedShopper,
} from '../../../test/support/fixtures';
import { produce } from '../../../test/support/kafka';

// Voids, returns and offline sales settle what the lanes did (docs/CHECKOUT.md). One test goes
// through Kafka as pos-ingest records the transactions; the others call the settlement with the
// transactions as the consumer passes them, to control the order in which they arrive.

const STORE = 'store-settle';
const lines = [{ sku: 'a', department: 'X', quantity: 1, amountCents: 1_000 }];
const amountOff = (cents: number): Reward => ({
  kind: 'amountOff',
  amountCents: cents,
  target: { basket: true },
});

describe('loyalty-api checkout settlement', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let apiKey: string;
  let settlement: SettlementService;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startLoyaltyApi();
    apiKey = await createTerminal(db, STORE, 'lane-1');
    settlement = app.get(SettlementService);
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const redeem = (body: Record<string, unknown> & { posTransactionId: string }, key = apiKey) =>
    request(app.getHttpServer())
      .post('/v1/checkout/redemptions')
      .set('X-Api-Key', key)
      .set('Idempotency-Key', `key:${String(body.posTransactionId)}`)
      .send(body);
  const quote = (cardNumber: string) =>
    request(app.getHttpServer())
      .post('/v1/checkout/quote')
      .set('X-Api-Key', apiKey)
      .send({ cardNumber, lines })
      .expect(200);

  /** A transaction as the settlement reads it from `pos.transaction-recorded.v1`. */
  const tx = (overrides: Partial<SettlementTransactionDto>): SettlementTransactionDto => ({
    storeId: STORE,
    posTransactionId: `tx-${randomUUID()}`,
    terminalId: 'lane-1',
    type: 'sale',
    occurredAt: new Date().toISOString(),
    totalCents: 0,
    ...overrides,
  });
  const voidOf = (original: string) =>
    tx({ type: 'void', originalPosTransactionId: original, totalCents: 0 });
  const returnOf = (
    original: string,
    refundedCents: number,
    appliedOffers: SettlementTransactionDto['appliedOffers'] = [],
  ) =>
    tx({
      type: 'return',
      originalPosTransactionId: original,
      totalCents: refundedCents,
      appliedOffers,
    });

  const offerState = async (offerId: string) =>
    (await db.query(`SELECT state FROM loyalty.offers WHERE id = $1`, [offerId]))[0].state;
  const spentOf = async (ruleId: string) =>
    Number(
      (
        await db.query(`SELECT spent_cents FROM loyalty.rule_budgets WHERE rule_id = $1`, [ruleId])
      )[0]?.spent_cents ?? 0,
    );
  const balanceOf = async (householdId: string) =>
    Number(
      (
        await db.query(`SELECT balance FROM loyalty.points_accounts WHERE household_id = $1`, [
          householdId,
        ])
      )[0]?.balance ?? 0,
    );

  /** A shopper holding one offer of 2.00 off of a budgeted rule (and `points` points), redeemed. */
  async function redeemed(points = 0, pointsToSpend?: number) {
    const rule = await seedRule(db, makeRule({ budgetCents: 100_000 }));
    const shopper = await seedShopper(db);
    const offer = await seedOffer(db, shopper.shopperId, amountOff(200), { ruleId: rule.id });
    if (points > 0) await seedPoints(db, shopper.shopperId, points);
    const posTransactionId = `sale-${randomUUID()}`;
    const { body } = await redeem({
      cardNumber: shopper.cardNumber,
      lines,
      posTransactionId,
      offerCodes: [offer.code],
      ...(pointsToSpend === undefined ? {} : { pointsToSpend }),
    }).expect(200);
    return { rule, ...shopper, ...offer, posTransactionId, answer: body };
  }

  it('answers each redeemed offer with its redemption id, for the POS transaction', async () => {
    const sale = await redeemed();
    const [row] = await db.query(`SELECT id FROM loyalty.redemptions WHERE offer_id = $1`, [
      sale.offerId,
    ]);
    expect(sale.answer.offers).toEqual([
      expect.objectContaining({ code: sale.code, redemptionId: row.id }),
    ]);
  });

  it('learns a void from the transaction stream: the offer, budget and points come back', async () => {
    const sale = await redeemed(1_000, 500);
    expect(await spentOf(sale.rule.id)).toBe(200);
    expect(await balanceOf(sale.shopperId)).toBe(500);
    const voided = makeTransaction({
      storeId: STORE,
      terminalId: 'lane-1',
      type: 'void',
      originalPosTransactionId: sale.posTransactionId,
      lines: [],
      tenders: [],
      totalCents: 0,
    });
    await produce(TOPICS.transactionRecorded, [
      {
        key: STORE,
        value: JSON.stringify({ ...voided, receivedAt: new Date().toISOString() }),
      },
    ]);
    await eventually(async () => (await offerState(sale.offerId)) === 'issued', 60_000);
    expect(await spentOf(sale.rule.id)).toBe(0);
    expect(await balanceOf(sale.shopperId)).toBe(1_000);
    const [redemption] = await db.query(
      `SELECT cancelled_by FROM loyalty.redemptions WHERE offer_id = $1`,
      [sale.offerId],
    );
    expect(redemption.cancelled_by).toBe(`${STORE}:${voided.posTransactionId}`);
    // The offer is the shopper's again, for the next sale; a retry of the voided sale's
    // redemption gets its first answer and takes nothing more.
    expect((await quote(sale.cardNumber)).body.offers).toEqual([
      expect.objectContaining({ code: sale.code, discountCents: 200 }),
    ]);
    const again = await redeem({
      cardNumber: sale.cardNumber,
      lines,
      posTransactionId: sale.posTransactionId,
      offerCodes: [sale.code],
      pointsToSpend: 500,
    }).expect(200);
    expect(again.body).toEqual(sale.answer);
    const other = `sale-${randomUUID()}`;
    await redeem({
      cardNumber: sale.cardNumber,
      lines,
      posTransactionId: other,
      offerCodes: [sale.code],
    }).expect(200);
    expect(await spentOf(sale.rule.id)).toBe(200);
  }, 90_000);

  it('settles a void once, however often it arrives', async () => {
    const sale = await redeemed(1_000, 500);
    const v = voidOf(sale.posTransactionId);
    await Promise.all([settlement.settle([v]), settlement.settle([v])]);
    await settlement.settle([v]);
    expect(await balanceOf(sale.shopperId)).toBe(1_000);
    expect(await spentOf(sale.rule.id)).toBe(0);
    const ledger = await db.query(
      `SELECT count(*)::int AS n FROM loyalty.points_ledger WHERE household_id = $1 AND kind = 'reverse'`,
      [sale.shopperId],
    );
    expect(ledger[0].n).toBe(1);
  });

  it('refuses a redemption for a sale voided before it', async () => {
    const { shopperId, cardNumber } = await seedShopper(db);
    const { code } = await seedOffer(db, shopperId, amountOff(100));
    const posTransactionId = `sale-${randomUUID()}`;
    await settlement.settle([voidOf(posTransactionId)]);
    const { body } = await redeem({
      cardNumber,
      lines,
      posTransactionId,
      offerCodes: [code],
    }).expect(409);
    expect(body.code).toBe('TRANSACTION_VOIDED');
    expect(
      await db.query(`SELECT 1 FROM loyalty.redemptions WHERE offer_code = $1`, [code]),
    ).toEqual([]);
  });

  it('gives back part of a discount on a return, and cancels the redemption when all of it is back', async () => {
    const sale = await redeemed();
    const redemptionId = sale.answer.offers[0].redemptionId;
    await settlement.settle([
      returnOf(sale.posTransactionId, 400, [{ code: sale.code, redemptionId, discountCents: 80 }]),
    ]);
    expect(await spentOf(sale.rule.id)).toBe(120);
    expect(await offerState(sale.offerId)).toBe('redeemed');
    await settlement.settle([
      returnOf(sale.posTransactionId, 400, [{ code: sale.code, redemptionId, discountCents: 500 }]),
    ]);
    expect(await spentOf(sale.rule.id)).toBe(0);
    expect(await offerState(sale.offerId)).toBe('issued');
  });

  it('gives back the points that paid a sale in proportion to what a return refunds', async () => {
    // 10.00 less 2.00 off: 8.00, of which 500 points paid 5.00.
    const sale = await redeemed(1_000, 500);
    await settlement.settle([returnOf(sale.posTransactionId, 400)]);
    expect(await balanceOf(sale.shopperId)).toBe(750);
    // A void of the sale later gives back the rest, never more.
    await settlement.settle([voidOf(sale.posTransactionId)]);
    expect(await balanceOf(sale.shopperId)).toBe(1_000);
  });

  it("takes back a points reward's bonus when its redemption is voided", async () => {
    const { shopperId, cardNumber } = await seedShopper(db);
    const { code } = await seedOffer(db, shopperId, {
      kind: 'bonusPoints',
      points: 250,
      target: { basket: true },
    });
    const posTransactionId = `sale-${randomUUID()}`;
    await redeem({ cardNumber, lines, posTransactionId, offerCodes: [code] }).expect(200);
    expect(await balanceOf(shopperId)).toBe(250);
    await settlement.settle([voidOf(posTransactionId)]);
    expect(await balanceOf(shopperId)).toBe(0);
  });

  describe('offline lanes', () => {
    const offlineSale = (cardNumber: string, code: string, discountCents = 200) =>
      tx({ cardNumber, totalCents: 800, appliedOffers: [{ code, discountCents }] });

    it('redeems an offer an offline lane applied when its sale arrives', async () => {
      const rule = await seedRule(db, makeRule({ budgetCents: 100_000 }));
      const { shopperId, cardNumber } = await seedShopper(db);
      const { offerId, code } = await seedOffer(db, shopperId, amountOff(200), { ruleId: rule.id });
      const sale = offlineSale(cardNumber, code);
      await settlement.settle([sale]);
      await settlement.settle([sale]);
      const rows = await db.query(
        `SELECT source, discount_cents, pos_transaction_id FROM loyalty.redemptions WHERE offer_id = $1`,
        [offerId],
      );
      expect(rows).toEqual([
        { source: 'offline', discount_cents: 200, pos_transaction_id: sale.posTransactionId },
      ]);
      expect(await offerState(offerId)).toBe('redeemed');
      expect(await spentOf(rule.id)).toBe(200);
    });

    it('records an offer used twice offline as a conflict for staff, never a second redemption', async () => {
      const { shopperId, cardNumber } = await seedShopper(db);
      const { offerId, code } = await seedOffer(db, shopperId, amountOff(200));
      const first = offlineSale(cardNumber, code);
      const second = offlineSale(cardNumber, code);
      await settlement.settle([first, second]);
      expect(
        await db.query(`SELECT pos_transaction_id FROM loyalty.redemptions WHERE offer_id = $1`, [
          offerId,
        ]),
      ).toEqual([{ pos_transaction_id: first.posTransactionId }]);

      const staff = tokenFor('support');
      const { body } = await request(app.getHttpServer())
        .get('/v1/checkout/conflicts')
        .set('Authorization', `Bearer ${staff}`)
        .expect(200);
      const conflict = body.conflicts.find(
        (c: { posTransactionId: string }) => c.posTransactionId === second.posTransactionId,
      );
      expect(conflict).toMatchObject({
        offerCode: code,
        householdId: shopperId,
        discountCents: 200,
        reason: 'already-redeemed',
        resolution: null,
      });
      const resolve = (resolution: string, token = staff) =>
        request(app.getHttpServer())
          .post(`/v1/checkout/conflicts/${conflict.id}/resolution`)
          .set('Authorization', `Bearer ${token}`)
          .send({ resolution, note: 'Goodwill: the lane was offline' });
      const resolved = await resolve('accepted').expect(200);
      expect(resolved.body).toMatchObject({ resolution: 'accepted', resolvedBy: 'support-1' });
      expect((await resolve('accepted').expect(200)).body).toEqual(resolved.body);
      expect((await resolve('written-off').expect(409)).body.code).toBe(
        'CONFLICT_ALREADY_RESOLVED',
      );
      await resolve('accepted', tokenFor('shopper')).expect(403);
      const audit = await db.query(
        `SELECT actor FROM loyalty.audit_log WHERE action = 'checkout-conflict.resolved' AND entity_id = $1`,
        [conflict.id],
      );
      expect(audit).toEqual([{ actor: 'support-1' }]);
    });

    it.each([
      ['another household', 'other-shopper'],
      ['a spent budget', 'budget-exhausted'],
      ['an unknown code', 'unknown-offer'],
    ])('lists an offline offer of %s as a conflict', async (what, reason) => {
      const rule = await seedRule(db, makeRule({ budgetCents: 100 }));
      const { shopperId, cardNumber } = await seedShopper(db);
      const other = await seedShopper(db);
      const { code } = await seedOffer(
        db,
        what === 'another household' ? other.shopperId : shopperId,
        amountOff(200),
        { ruleId: rule.id },
      );
      const sale = offlineSale(cardNumber, what === 'an unknown code' ? 'NOSUCHCODE1' : code);
      await settlement.settle([sale]);
      const [conflict] = await db.query(
        `SELECT reason FROM loyalty.checkout_conflicts WHERE pos_transaction_id = $1`,
        [sale.posTransactionId],
      );
      expect(conflict.reason).toBe(reason);
      expect(await spentOf(rule.id)).toBe(0);
    });

    it('settles in whatever order the void, the return and the offline sale arrive', async () => {
      const { shopperId, cardNumber } = await seedShopper(db);
      const voided = await seedOffer(db, shopperId, amountOff(200));
      const returned = await seedOffer(db, shopperId, amountOff(300));
      // A void before its sale: the sale redeems nothing.
      const voidedSale = offlineSale(cardNumber, voided.code);
      await settlement.settle([voidOf(voidedSale.posTransactionId), voidedSale]);
      expect(await offerState(voided.offerId)).toBe('issued');
      // A return before its sale: it waits, then gives the discount back once the sale is settled.
      const returnedSale = offlineSale(cardNumber, returned.code, 300);
      await settlement.settle([
        returnOf(returnedSale.posTransactionId, 800, [{ code: returned.code, discountCents: 300 }]),
      ]);
      await settlement.settle([returnedSale]);
      expect(await offerState(returned.offerId)).toBe('issued');
      const [row] = await db.query(
        `SELECT cancelled_at IS NOT NULL AS cancelled FROM loyalty.redemptions WHERE offer_id = $1`,
        [returned.offerId],
      );
      expect(row.cancelled).toBe(true);
    });
  });

  it('keeps spent equal to the active redemptions while lanes redeem and voids arrive', async () => {
    // A budget of 100 offers of 1.00; 200 shoppers redeem at once while every tenth sale is voided.
    const rule = await seedRule(db, makeRule({ budgetCents: 10_000 }));
    const shoppers = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const shopper = await seedShopper(db);
        const offer = await seedOffer(db, shopper.shopperId, amountOff(100), { ruleId: rule.id });
        return { ...shopper, ...offer, posTransactionId: `race-${randomUUID()}` };
      }),
    );
    const lanes = await Promise.all(
      [1, 2, 3, 4].map((n) => createTerminal(db, STORE, `race-lane-${n}`)),
    );
    const responses = await Promise.all([
      ...shoppers.map((s, n) =>
        redeem(
          {
            cardNumber: s.cardNumber,
            lines,
            posTransactionId: s.posTransactionId,
            offerCodes: [s.code],
          },
          lanes[n % lanes.length],
        ),
      ),
      ...shoppers
        .filter((_s, n) => n % 10 === 0)
        .map((s) => settlement.settle([voidOf(s.posTransactionId)])),
    ]);
    for (const r of responses.slice(0, shoppers.length))
      expect([200, 409, 503]).toContain((r as request.Response).status);
    const [{ active, discounts }] = await db.query(
      `SELECT count(*)::int AS active, coalesce(sum(discount_cents - returned_cents), 0)::int AS discounts
         FROM loyalty.redemptions WHERE rule_id = $1 AND cancelled_at IS NULL`,
      [rule.id],
    );
    expect(await spentOf(rule.id)).toBe(discounts);
    expect(active).toBeLessThanOrEqual(100);
    expect(discounts).toBeLessThanOrEqual(10_000);
  }, 120_000);
});
