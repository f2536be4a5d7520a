import { Reward, TOPICS } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../src/config';
import { loyaltyApiEventGroups } from '../src/offers/offer-wallet.consumer';
import { produce, waitForDrain } from '../../../test/support/kafka';
import {
  createTerminal,
  eventually,
  openDatabase,
  startLoyaltyApi,
  tokenFor,
} from '../../../test/support/apps';
import { makeCardNumber, makeDepartment } from '../../../test/support/factories';
import {
  makeRule,
  seedOffer,
  seedPoints,
  seedRule,
  seedShopper,
} from '../../../test/support/fixtures';

describe('loyalty-api checkout', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let apiKey: string;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startLoyaltyApi();
    apiKey = await createTerminal(db, 'store-7', 'lane-2');
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  /** A redemption's Idempotency-Key is the lane's name for its sale unless a test names one. */
  const post = (
    path: string,
    body: object,
    key: string | null = apiKey,
    idempotencyKey = `key:${(body as { posTransactionId?: string }).posTransactionId}`
      .replace(/[^\x21-\x7E]/g, '_')
      .slice(0, 64),
  ) => {
    const req = request(app.getHttpServer()).post(`/v1/checkout/${path}`);
    if (path === 'redemptions') req.set('Idempotency-Key', idempotencyKey);
    return (key ? req.set('X-Api-Key', key) : req).send(body);
  };

  async function shopperWithDepartmentOffer() {
    const department = makeDepartment();
    const { shopperId, cardNumber } = await seedShopper(db);
    const offer = await seedOffer(db, shopperId, {
      kind: 'percentOff',
      percent: 10,
      target: { department },
    });
    const lines = [
      { sku: 'a', department, quantity: 2, amountCents: 300 },
      { sku: 'b', department, quantity: 0.532, amountCents: 100 },
      { sku: 'c', department: 'OTHER', quantity: 1, amountCents: 600 },
    ];
    return { shopperId, cardNumber, offer, lines };
  }

  const redemptionsOf = (offerId: string) =>
    db.query(`SELECT * FROM loyalty.redemptions WHERE offer_id = $1`, [offerId]) as Promise<
      Record<string, unknown>[]
    >;

  it('quotes the offers that apply, with the discount allocated to lines', async () => {
    const { cardNumber, offer, lines } = await shopperWithDepartmentOffer();
    const response = await post('quote', { cardNumber, lines }).expect(200);
    expect(response.body).toEqual({
      cardKnown: true,
      subtotalCents: 1_000,
      discountCents: 40,
      totalCents: 960,
      bonusPoints: 0,
      pointsEarned: 9,
      pointsSpent: 0,
      pointsPaidCents: 0,
      dueCents: 960,
      pointsBalance: 0,
      shopper: { name: null, card: `****${cardNumber.slice(-4)}`, tier: null },
      offers: [
        {
          code: offer.code,
          discountCents: 40,
          lines: [
            { lineIndex: 0, discountCents: 30 },
            { lineIndex: 1, discountCents: 10 },
          ],
          bonusPoints: 0,
          validUntil: '2099-01-01T00:00:00.000Z',
        },
      ],
      notApplied: [],
      receiptMessages: [{ kind: 'points-earned', text: 'You earn 9 points today.' }],
    });
  });

  it.each([
    ['a category', { category: 'CHEESE' }, 60],
    ['a brand, over a minimum basket, capped', { brand: 'ACME' }, 50],
    ['SKUs', { skus: ['b'] }, 40],
  ])('applies an offer on %s to the lines that name it', async (_name, target, discount) => {
    const { shopperId, cardNumber } = await seedShopper(db);
    const { code } = await seedOffer(db, shopperId, {
      kind: 'percentOff',
      percent: 20,
      target,
      ...('brand' in target ? { minBasketCents: 500, maxDiscountCents: 50 } : {}),
    });
    const lines = [
      {
        sku: 'a',
        department: 'DAIRY',
        category: 'CHEESE',
        brand: 'ACME',
        quantity: 1,
        amountCents: 300,
      },
      { sku: 'b', department: 'DAIRY', category: 'MILK', quantity: 1, amountCents: 200 },
    ];
    const { body } = await post('quote', { cardNumber, lines }).expect(200);
    expect(body.offers).toEqual([expect.objectContaining({ code, discountCents: discount })]);
  });

  it('greets a registered shopper by given name and family initial, the card masked, with the tier', async () => {
    const { shopperId, cardNumber } = await seedShopper(db);
    await db.query(
      `INSERT INTO loyalty.shoppers (id, household_id, account_holder, given_name, family_name)
       VALUES ($1, $2, true, 'Maria', 'Schmidt')`,
      [randomUUID(), shopperId],
    );
    const { body } = await post('quote', {
      cardNumber,
      lines: [{ sku: 'a', department: 'X', quantity: 1, amountCents: 100 }],
    }).expect(200);
    expect(body.shopper).toEqual({
      name: 'Maria S.',
      card: `****${cardNumber.slice(-4)}`,
      tier: null,
    });
    expect(JSON.stringify(body)).not.toContain('Schmidt');
    expect(JSON.stringify(body)).not.toContain(cardNumber);
    // pos-ingest's profile changes bring the tier; an older change never takes it back.
    const change = (factsAsOf: string, tier: string) => ({
      key: shopperId,
      value: JSON.stringify({
        eventId: randomUUID(),
        householdId: shopperId,
        factsAsOf,
        facts: { tier, tierSince: factsAsOf },
      }),
    });
    await produce(TOPICS.profileChangedV2, [change('2026-11-20', 'gold')]);
    await produce(TOPICS.profileChangedV2, [change('2026-11-10', 'silver')]);
    const lines = [{ sku: 'a', department: 'X', quantity: 1, amountCents: 100 }];
    const tierOf = async () =>
      (await post('quote', { cardNumber, lines }).expect(200)).body.shopper.tier;
    await eventually(async () => (await tierOf()) === 'gold', 60_000);
    await waitForDrain(
      loyaltyApiEventGroups(app.get(LoyaltyApiConfig).LOYALTY_API_GROUP_PREFIX).householdTiers
        .groupId,
      TOPICS.profileChangedV2,
    );
    expect(await tierOf()).toBe('gold');
  });

  it('quotes an unknown card with no offers', async () => {
    const response = await post('quote', {
      cardNumber: makeCardNumber(),
      lines: [{ sku: 'a', department: 'X', quantity: 1, amountCents: 100 }],
    }).expect(200);
    expect(response.body).toEqual({
      cardKnown: false,
      subtotalCents: 100,
      discountCents: 0,
      totalCents: 100,
      bonusPoints: 0,
      pointsEarned: 1,
      pointsSpent: 0,
      pointsPaidCents: 0,
      dueCents: 100,
      pointsBalance: null,
      shopper: null,
      offers: [],
      notApplied: [],
      receiptMessages: [{ kind: 'points-earned', text: 'You earn 1 point today.' }],
    });
  });

  it('prices every reward kind, stacks the offers and says why the others give nothing', async () => {
    const { shopperId, cardNumber } = await seedShopper(db);
    const seed = (reward: Reward, terms: Parameters<typeof seedOffer>[4] = {}) =>
      seedOffer(db, shopperId, reward, {}, terms);
    const threeForTwo = await seed({
      kind: 'buyXGetY',
      buy: 2,
      get: 1,
      free: 'cheapest',
      target: { department: 'DRINKS' },
    });
    const bonus = await seed({ kind: 'bonusPoints', points: 250, target: { skus: ['bread'] } });
    const elsewhere = await seed(
      { kind: 'amountOff', amountCents: 500, target: { basket: true } },
      { stores: ['store-8'] },
    );
    const big = await seed({
      kind: 'amountOff',
      amountCents: 500,
      target: { basket: true },
      minBasketCents: 10_000,
    });
    const exclusive = await seed(
      { kind: 'percentOff', percent: 5, target: { basket: true } },
      { stacking: 'exclusive' },
    );
    const lines = [
      { sku: 'tea', department: 'DRINKS', quantity: 2, amountCents: 500 },
      { sku: 'juice', department: 'DRINKS', quantity: 1, amountCents: 199 },
      { sku: 'bread', department: 'BAKERY', quantity: 1, amountCents: 301 },
    ];
    const { body } = await post('quote', { cardNumber, lines }).expect(200);
    expect(body).toMatchObject({
      subtotalCents: 1_000,
      discountCents: 199,
      totalCents: 801,
      bonusPoints: 250,
    });
    expect(body.offers.map((o: { code: string }) => o.code).sort()).toEqual(
      [threeForTwo.code, bonus.code].sort(),
    );
    expect(
      (body.notApplied as { code: string; reason: string }[]).sort((a, b) =>
        a.code.localeCompare(b.code),
      ),
    ).toEqual(
      [
        { code: elsewhere.code, reason: 'wrong-store' },
        { code: big.code, reason: 'minimum-basket-not-met' },
        { code: exclusive.code, reason: 'not-combinable' },
      ].sort((a, b) => a.code.localeCompare(b.code)),
    );
  });

  it("books a points reward's points with its redemption, once", async () => {
    const { shopperId, cardNumber } = await seedShopper(db);
    const { code } = await seedOffer(db, shopperId, {
      kind: 'pointsMultiplier',
      multiplier: 3,
      target: { department: 'BAKERY' },
    });
    const body = {
      cardNumber,
      lines: [{ sku: 'bread', department: 'BAKERY', quantity: 1, amountCents: 1_250 }],
      posTransactionId: `store-7:lane-2:${randomUUID()}`,
      offerCodes: [code],
    };
    const first = await post('redemptions', body).expect(200);
    expect(first.body).toMatchObject({ discountCents: 0, bonusPoints: 24 });
    expect((await post('redemptions', body).expect(200)).body).toEqual(first.body);
    const entries = await db.query(
      `SELECT kind, points::int, source_type FROM loyalty.points_ledger WHERE household_id = $1`,
      [shopperId],
    );
    expect(entries).toEqual([{ kind: 'earn', points: 24, source_type: 'offer-redemption' }]);
    const [account] = await db.query(
      `SELECT balance::int FROM loyalty.points_accounts WHERE household_id = $1`,
      [shopperId],
    );
    expect(account.balance).toBe(24);
  });

  it('leaves out expired offers', async () => {
    const { shopperId, cardNumber, lines } = await shopperWithDepartmentOffer();
    await db.query(
      `UPDATE loyalty.offers SET valid_until = now() - interval '1 second' WHERE shopper_id = $1`,
      [shopperId],
    );
    const response = await post('quote', { cardNumber, lines }).expect(200);
    expect(response.body.offers).toEqual([]);
  });

  it('redeems an offer once; a second attempt gets 409 OFFER_ALREADY_REDEEMED', async () => {
    const { cardNumber, offer, lines } = await shopperWithDepartmentOffer();
    const body = {
      cardNumber,
      lines,
      posTransactionId: 'store-7:lane-2:1',
      offerCodes: [offer.code],
    };
    const first = await post('redemptions', body).expect(200);
    expect(first.body).toMatchObject({ discountCents: 40, totalCents: 960 });
    const second = await post('redemptions', {
      ...body,
      posTransactionId: 'store-7:lane-2:2',
    }).expect(409);
    expect(second.body).toMatchObject({ code: 'OFFER_ALREADY_REDEEMED' });
    const redemptions = await redemptionsOf(offer.offerId);
    expect(redemptions).toHaveLength(1);
    expect(redemptions[0]).toMatchObject({
      store_id: 'store-7',
      terminal_id: 'lane-2',
      discount_cents: 40,
    });
    const quote = await post('quote', { cardNumber, lines }).expect(200);
    expect(quote.body.offers).toEqual([]);
  });

  it('lets exactly one of 50 racing redemptions use a single-use offer, 20 times over', async () => {
    const lanes = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => createTerminal(db, 'store-7', `lane-${n}`)),
    );
    for (let round = 0; round < 20; round++) {
      const { cardNumber, offer, lines } = await shopperWithDepartmentOffer();
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          post(
            'redemptions',
            {
              cardNumber,
              lines,
              posTransactionId: `race-${round}-${n}-${randomUUID()}`,
              offerCodes: [offer.code],
            },
            lanes[n % lanes.length],
          ),
        ),
      );
      // A lane past its 2 s budget (503) sells without offers; its redemption may still commit.
      const statuses = responses.map((r) => r.status);
      for (const status of statuses) expect([200, 409, 503]).toContain(status);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      for (const r of responses.filter((r) => r.status === 409))
        expect(r.body.code).toBe('OFFER_ALREADY_REDEEMED');
      expect(await redemptionsOf(offer.offerId)).toHaveLength(1);
    }
  }, 180_000);

  it("never spends more than a rule's budget, however many lanes race for it", async () => {
    // A budget of 100 offers' worth, 200 shoppers each redeeming one offer of 1.00 at once.
    const rule = await seedRule(db, makeRule({ budgetCents: 10_000 }));
    const reward: Reward = { kind: 'amountOff', amountCents: 100, target: { basket: true } };
    const shoppers = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const shopper = await seedShopper(db);
        return {
          ...shopper,
          ...(await seedOffer(db, shopper.shopperId, reward, { ruleId: rule.id })),
        };
      }),
    );
    const lanes = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => createTerminal(db, 'store-7', `budget-lane-${n}`)),
    );
    const responses = await Promise.all(
      shoppers.map((s, n) =>
        post(
          'redemptions',
          {
            cardNumber: s.cardNumber,
            lines: [{ sku: 'a', department: 'X', quantity: 1, amountCents: 500 }],
            posTransactionId: `budget-${randomUUID()}`,
            offerCodes: [s.code],
          },
          lanes[n % lanes.length],
        ),
      ),
    );
    // A lane that waited past its budget (503) sells without offers; the redemption may still
    // commit: the table, not the answers, says what was spent.
    for (const r of responses) expect([200, 409, 503]).toContain(r.status);
    for (const r of responses.filter((r) => r.status === 409))
      expect(r.body.code).toBe('BUDGET_EXHAUSTED');
    const [{ redeemed, discounts }] = await db.query(
      `SELECT count(*)::int AS redeemed, sum(discount_cents)::int AS discounts
         FROM loyalty.redemptions WHERE rule_id = $1`,
      [rule.id],
    );
    const [{ spent_cents }] = await db.query(
      `SELECT spent_cents::int FROM loyalty.rule_budgets WHERE rule_id = $1`,
      [rule.id],
    );
    expect({ redeemed, discounts, spent_cents }).toEqual({
      redeemed: 100,
      discounts: 10_000,
      spent_cents: 10_000,
    });
    expect(responses.filter((r) => r.status === 200).length).toBeLessThanOrEqual(100);
    // The quote tells the next shopper why the offer gives nothing.
    const left = shoppers.find((s) => responses[shoppers.indexOf(s)].status === 409);
    if (left) {
      const { body } = await post('quote', {
        cardNumber: left.cardNumber,
        lines: [{ sku: 'a', department: 'X', quantity: 1, amountCents: 500 }],
      }).expect(200);
      expect(body.notApplied).toEqual([{ code: left.code, reason: 'budget-exhausted' }]);
    }
  }, 120_000);

  it("holds a household cap across the household's cards and lanes", async () => {
    const rule = await seedRule(db, makeRule({ perHouseholdCap: { count: 1, period: 'week' } }));
    const { shopperId, cardNumber } = await seedShopper(db);
    const secondCard = makeCardNumber();
    await db.query(`INSERT INTO loyalty.cards (card_number, household_id) VALUES ($1, $2)`, [
      secondCard,
      shopperId,
    ]);
    const reward: Reward = { kind: 'amountOff', amountCents: 100, target: { basket: true } };
    const offers = await Promise.all(
      [1, 2, 3, 4].map(() => seedOffer(db, shopperId, reward, { ruleId: rule.id })),
    );
    const lanes = await Promise.all(
      [1, 2, 3, 4].map((n) => createTerminal(db, 'store-7', `cap-lane-${n}`)),
    );
    const lines = [{ sku: 'a', department: 'X', quantity: 1, amountCents: 500 }];
    const responses = await Promise.all(
      offers.map((offer, n) =>
        post(
          'redemptions',
          {
            cardNumber: n % 2 === 0 ? cardNumber : secondCard,
            lines,
            posTransactionId: `cap-${randomUUID()}`,
            offerCodes: [offer.code],
          },
          lanes[n],
        ),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    for (const r of responses.filter((r) => r.status === 409))
      expect(r.body.code).toBe('HOUSEHOLD_CAP_REACHED');
    const [{ redeemed }] = await db.query(
      `SELECT count(*)::int AS redeemed FROM loyalty.redemptions WHERE rule_id = $1`,
      [rule.id],
    );
    expect(redeemed).toBe(1);
    const { body } = await post('quote', { cardNumber: secondCard, lines }).expect(200);
    expect(body.offers).toEqual([]);
    expect(body.notApplied.map((n: { reason: string }) => n.reason)).toEqual([
      'household-cap-reached',
      'household-cap-reached',
      'household-cap-reached',
    ]);
  });

  describe('pay with points', () => {
    /** A shopper with `points` earned, and a basket of 10.00. */
    async function shopperWithPoints(points: number) {
      const shopper = await seedShopper(db);
      await seedPoints(db, shopper.shopperId, points);
      return shopper;
    }
    const lines = [{ sku: 'a', department: 'X', quantity: 1, amountCents: 1_000 }];
    const pay = (cardNumber: string, pointsToSpend: number, key = apiKey) =>
      post(
        'redemptions',
        {
          cardNumber,
          lines,
          posTransactionId: `points-${randomUUID()}`,
          offerCodes: [],
          pointsToSpend,
        },
        key,
      );
    const balanceOf = async (householdId: string) =>
      (
        await db.query(`SELECT balance::int FROM loyalty.points_accounts WHERE household_id = $1`, [
          householdId,
        ])
      )[0].balance as number;

    it('quotes the balance, and pays part of the basket with points at the programme rate', async () => {
      const { shopperId, cardNumber } = await shopperWithPoints(1_000);
      const quote = await post('quote', { cardNumber, lines }).expect(200);
      expect(quote.body).toMatchObject({ pointsBalance: 1_000, dueCents: 1_000 });
      const { body } = await pay(cardNumber, 600).expect(200);
      // 100 points are worth 1.00 by default.
      expect(body).toMatchObject({
        totalCents: 1_000,
        pointsSpent: 600,
        pointsPaidCents: 600,
        dueCents: 400,
        pointsBalance: 1_000,
      });
      expect(await balanceOf(shopperId)).toBe(400);
    });

    it('refuses points worth more than the total, or more than the balance, spending nothing', async () => {
      const { shopperId, cardNumber } = await shopperWithPoints(5_000);
      expect((await pay(cardNumber, 1_001).expect(422)).body).toMatchObject({
        code: 'POINTS_EXCEED_TOTAL',
        field: 'pointsToSpend',
      });
      const poor = await shopperWithPoints(100);
      expect((await pay(poor.cardNumber, 200).expect(422)).body.code).toBe('INSUFFICIENT_POINTS');
      expect(await balanceOf(shopperId)).toBe(5_000);
      expect(await balanceOf(poor.shopperId)).toBe(100);
    });

    it('lets two lanes racing for the same points spend them once', async () => {
      const { shopperId, cardNumber } = await shopperWithPoints(1_000);
      const lanes = await Promise.all(
        [1, 2, 3, 4].map((n) => createTerminal(db, 'store-7', `points-lane-${n}`)),
      );
      const responses = await Promise.all(lanes.map((key) => pay(cardNumber, 700, key)));
      expect(responses.map((r) => r.status).sort()).toEqual([200, 422, 422, 422]);
      expect(await balanceOf(shopperId)).toBe(300);
    });
  });

  describe('refuses a redemption that cannot apply, and records nothing', () => {
    type Setup = Awaited<ReturnType<typeof shopperWithDepartmentOffer>>;
    type Body = {
      cardNumber: string;
      lines: Setup['lines'];
      posTransactionId: string;
      offerCodes: string[];
    };
    const setOfferState = (state: string) => async (setup: Setup) => {
      await db.query(
        `UPDATE loyalty.offers SET state = $1, state_changed_at = now() WHERE id = $2`,
        [state, setup.offer.offerId],
      );
    };
    const cases: [string, number, string, (setup: Setup, body: Body) => Promise<Body | void>][] = [
      [
        'an offer of another shopper',
        404,
        'OFFER_NOT_FOUND',
        async (_s, body) => ({ ...body, cardNumber: (await seedShopper(db)).cardNumber }),
      ],
      [
        'an unknown code',
        404,
        'OFFER_NOT_FOUND',
        async (_s, body) => ({ ...body, offerCodes: ['NOSUCHCODE'] }),
      ],
      [
        'an unknown card',
        404,
        'UNKNOWN_CARD',
        async (_s, body) => ({ ...body, cardNumber: makeCardNumber() }),
      ],
      [
        'an offer that gives nothing on this basket',
        422,
        'OFFER_NOT_APPLICABLE',
        async (setup, body) => ({ ...body, lines: [setup.lines[2]] }),
      ],
      [
        'an offer past its validity',
        422,
        'OFFER_EXPIRED',
        async (setup) => {
          await db.query(
            `UPDATE loyalty.offers SET valid_until = now() - interval '1 second' WHERE id = $1`,
            [setup.offer.offerId],
          );
        },
      ],
      ['an expired offer', 422, 'OFFER_EXPIRED', setOfferState('expired')],
      ['a revoked offer', 422, 'OFFER_REVOKED', setOfferState('revoked')],
    ];

    it.each(cases)('%s', async (_name, status, code, arrange) => {
      const setup = await shopperWithDepartmentOffer();
      const body: Body = {
        cardNumber: setup.cardNumber,
        lines: setup.lines,
        posTransactionId: 'x',
        offerCodes: [setup.offer.code],
      };
      const response = await post('redemptions', (await arrange(setup, body)) ?? body).expect(
        status,
      );
      expect(response.body).toMatchObject({ code, field: expect.any(String) });
      expect(await redemptionsOf(setup.offer.offerId)).toHaveLength(0);
    });
  });

  const offerRow = async (offerId: string) => {
    const [row] = await db.query(
      `SELECT state, store_id, pos_transaction_id FROM loyalty.offers WHERE id = $1`,
      [offerId],
    );
    return row as Record<string, unknown>;
  };

  it('marks the offer redeemed in the wallet in the same transaction', async () => {
    const { cardNumber, offer, lines } = await shopperWithDepartmentOffer();
    await post('redemptions', {
      cardNumber,
      lines,
      posTransactionId: 'store-7:lane-2:wallet',
      offerCodes: [offer.code],
    }).expect(200);
    expect(await offerRow(offer.offerId)).toEqual({
      state: 'redeemed',
      store_id: 'store-7',
      pos_transaction_id: 'store-7:lane-2:wallet',
    });
  });

  it('answers a POS retry of the same redemption with the same result, redeeming once', async () => {
    const { cardNumber, offer, lines } = await shopperWithDepartmentOffer();
    const body = {
      cardNumber,
      lines,
      posTransactionId: 'store-7:lane-2:retry',
      offerCodes: [offer.code],
    };
    const first = await post('redemptions', body).expect(200);
    const retry = await post('redemptions', body).expect(200);
    expect(retry.body).toEqual(first.body);
    expect(await redemptionsOf(offer.offerId)).toHaveLength(1);
    const otherStore = await createTerminal(db, 'store-8', 'lane-1');
    const elsewhere = await post('redemptions', body, otherStore).expect(409);
    expect(elsewhere.body.code).toBe('OFFER_ALREADY_REDEEMED');
  });

  it('applies a clip-only offer once the shopper clipped it in the app', async () => {
    const { shopperId, cardNumber } = await seedShopper(db);
    const subject = `shopper-${randomUUID()}`;
    await db.query(
      `INSERT INTO loyalty.shoppers (id, household_id, account_holder, subject) VALUES ($1, $2, true, $3)`,
      [randomUUID(), shopperId, subject],
    );
    const reward: Reward = { kind: 'amountOff', amountCents: 150, target: { basket: true } };
    const { code } = await seedOffer(db, shopperId, reward, {}, { clipRequired: true });
    const lines = [{ sku: 'a', department: 'X', quantity: 1, amountCents: 500 }];
    const before = await post('quote', { cardNumber, lines }).expect(200);
    expect(before.body.notApplied).toEqual([{ code, reason: 'not-clipped' }]);
    const refused = await post('redemptions', {
      cardNumber,
      lines,
      posTransactionId: `clip-${randomUUID()}`,
      offerCodes: [code],
    }).expect(422);
    expect(refused.body.code).toBe('OFFER_NOT_APPLICABLE');

    const me = (req: request.Test) =>
      req.set('Authorization', `Bearer ${tokenFor('shopper', subject)}`);
    const wallet = await me(request(app.getHttpServer()).get('/v1/me/offers')).expect(200);
    expect(wallet.body.offers).toEqual([
      expect.objectContaining({
        code,
        state: 'issued',
        clipRequired: true,
        description: '1.50 off your shopping',
      }),
    ]);
    const clip = () => me(request(app.getHttpServer()).post(`/v1/me/offers/${code}/clip`));
    expect((await clip().expect(200)).body).toMatchObject({ code, state: 'clipped' });
    expect((await clip().expect(200)).body).toMatchObject({ code, state: 'clipped' });
    await me(request(app.getHttpServer()).post('/v1/me/offers/NOSUCHCODE/clip')).expect(404);
    await me(request(app.getHttpServer()).post('/v1/me/offers/not-a-code/clip')).expect(400);

    const after = await post('quote', { cardNumber, lines }).expect(200);
    expect(after.body.offers).toEqual([expect.objectContaining({ code, discountCents: 150 })]);
  });

  describe('reservations', () => {
    const basket = [{ sku: 'a', department: 'X', quantity: 1, amountCents: 500 }];
    const twoDollarsOff: Reward = { kind: 'amountOff', amountCents: 200, target: { basket: true } };
    const reserve = (cardNumber: string, posTransactionId: string, key = apiKey) =>
      post('quote', { cardNumber, lines: basket, reserve: true, posTransactionId }, key);
    const redeemOn = (cardNumber: string, code: string, posTransactionId: string, key = apiKey) =>
      post('redemptions', { cardNumber, lines: basket, posTransactionId, offerCodes: [code] }, key);

    it('holds the offers for the sale: no other checkout may use them until it redeems or releases', async () => {
      const { shopperId, cardNumber } = await seedShopper(db);
      const { code } = await seedOffer(db, shopperId, twoDollarsOff);
      const sale = `store-7:lane-2:${randomUUID()}`;
      const held = await reserve(cardNumber, sale).expect(200);
      expect(held.body.offers).toEqual([expect.objectContaining({ code, discountCents: 200 })]);
      expect(Date.parse(held.body.reservedUntil)).toBeGreaterThan(Date.now() + 60_000);
      // The same sale quoted again keeps what it holds; another sale finds nothing to use.
      expect((await reserve(cardNumber, sale).expect(200)).body.offers).toHaveLength(1);
      const other = `store-7:lane-3:${randomUUID()}`;
      expect((await post('quote', { cardNumber, lines: basket }).expect(200)).body.offers).toEqual(
        [],
      );
      expect((await redeemOn(cardNumber, code, other).expect(409)).body.code).toBe(
        'OFFER_RESERVED',
      );
      // Released, it is anyone's again.
      await request(app.getHttpServer())
        .delete(`/v1/checkout/reservations/${encodeURIComponent(sale)}`)
        .set('X-Api-Key', apiKey)
        .expect(204);
      await redeemOn(cardNumber, code, other).expect(200);
    });

    it('lets the sale that holds an offer redeem it, and frees its other holds', async () => {
      const { shopperId, cardNumber } = await seedShopper(db);
      const { code } = await seedOffer(db, shopperId, twoDollarsOff);
      const sale = `store-7:lane-2:${randomUUID()}`;
      await reserve(cardNumber, sale).expect(200);
      await redeemOn(cardNumber, code, sale).expect(200);
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM loyalty.checkout_reservations WHERE pos_transaction_id = $1`,
        [sale],
      );
      expect(n).toBe(0);
    });

    it('frees a hold once its time is up', async () => {
      const { shopperId, cardNumber } = await seedShopper(db);
      const { offerId, code } = await seedOffer(db, shopperId, twoDollarsOff);
      await reserve(cardNumber, `store-7:lane-2:${randomUUID()}`).expect(200);
      await db.query(
        `UPDATE loyalty.checkout_reservations
            SET reserved_at = now() - interval '3 minutes', expires_at = now() - interval '1 second'
          WHERE offer_id = $1`,
        [offerId],
      );
      await redeemOn(cardNumber, code, `store-7:lane-3:${randomUUID()}`).expect(200);
    });

    it("counts a hold against its rule's budget and its household's cap", async () => {
      const budgeted = await seedRule(db, makeRule({ budgetCents: 300 }));
      const capped = await seedRule(
        db,
        makeRule({ perHouseholdCap: { count: 1, period: 'week' } }),
      );
      const first = await seedShopper(db);
      const second = await seedShopper(db);
      await seedOffer(db, first.shopperId, twoDollarsOff, { ruleId: budgeted.id });
      const { code } = await seedOffer(db, second.shopperId, twoDollarsOff, {
        ruleId: budgeted.id,
      });
      const sale = `store-7:lane-2:${randomUUID()}`;
      await reserve(first.cardNumber, sale).expect(200);
      // 200 of the 300 are held: the second household's 2.00 does not fit.
      const quoted = await post('quote', { cardNumber: second.cardNumber, lines: basket }).expect(
        200,
      );
      expect(quoted.body.notApplied).toEqual([{ code, reason: 'budget-exhausted' }]);
      const elsewhere = await reserve(second.cardNumber, `store-7:lane-3:${randomUUID()}`).expect(
        200,
      );
      expect(elsewhere.body).toMatchObject({ offers: [], reservedUntil: null });
      await request(app.getHttpServer())
        .delete(`/v1/checkout/reservations/${encodeURIComponent(sale)}`)
        .set('X-Api-Key', apiKey)
        .expect(204);
      const after = await post('quote', { cardNumber: second.cardNumber, lines: basket }).expect(
        200,
      );
      expect(after.body.offers).toEqual([expect.objectContaining({ code })]);

      const household = await seedShopper(db);
      const offers = [
        await seedOffer(db, household.shopperId, twoDollarsOff, { ruleId: capped.id }),
        await seedOffer(db, household.shopperId, twoDollarsOff, { ruleId: capped.id }),
      ];
      const held = await reserve(household.cardNumber, `store-7:lane-2:${randomUUID()}`).expect(
        200,
      );
      expect(held.body.offers).toHaveLength(1);
      const again = await post('quote', { cardNumber: household.cardNumber, lines: basket }).expect(
        200,
      );
      expect(again.body.notApplied).toEqual([
        {
          code: offers.find((o) => o.code !== held.body.offers[0].code)?.code,
          reason: 'household-cap-reached',
        },
      ]);
    });

    it('refuses reserve without the sale it holds for (400), holding nothing', async () => {
      const { shopperId, cardNumber } = await seedShopper(db);
      await seedOffer(db, shopperId, twoDollarsOff);
      const { body } = await post('quote', { cardNumber, lines: basket, reserve: true }).expect(
        400,
      );
      expect(body.errors.map((e: { field: string }) => e.field)).toEqual(['posTransactionId']);
    });
  });

  describe('Idempotency-Key', () => {
    it('answers 20 concurrent requests with one key (a lane retrying in flight) once, and refuses the key for another body', async () => {
      const { cardNumber, offer, lines } = await shopperWithDepartmentOffer();
      const body = {
        cardNumber,
        lines,
        posTransactionId: `store-7:lane-2:${randomUUID()}`,
        offerCodes: [offer.code],
      };
      const key = randomUUID();
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => post('redemptions', body, apiKey, key)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      for (const r of responses) expect(r.body).toEqual(responses[0].body);
      expect(responses[0].body).toMatchObject({ discountCents: 40, totalCents: 960 });
      expect(await redemptionsOf(offer.offerId)).toHaveLength(1);
      expect(await offerRow(offer.offerId)).toMatchObject({ state: 'redeemed' });
      const other = await shopperWithDepartmentOffer();
      const reused = await post(
        'redemptions',
        {
          cardNumber: other.cardNumber,
          lines: other.lines,
          posTransactionId: `store-7:lane-2:${randomUUID()}`,
          offerCodes: [other.offer.code],
        },
        apiKey,
        key,
      ).expect(422);
      expect(reused.body).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
        field: 'idempotency-key',
      });
      expect(await redemptionsOf(other.offer.offerId)).toHaveLength(0);
    });

    it("scopes a key to its terminal: another lane's same key is its own", async () => {
      const key = randomUUID();
      const lane = await createTerminal(db, 'store-7', `key-lane-${randomUUID().slice(0, 8)}`);
      for (const terminal of [apiKey, lane]) {
        const { cardNumber, offer, lines } = await shopperWithDepartmentOffer();
        const body = {
          cardNumber,
          lines,
          posTransactionId: `store-7:${randomUUID()}`,
          offerCodes: [offer.code],
        };
        await post('redemptions', body, terminal, key).expect(200);
        expect(await redemptionsOf(offer.offerId)).toHaveLength(1);
      }
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['with a space', 'a b'],
      ['longer than 64 characters', 'k'.repeat(65)],
    ])('refuses a redemption whose key is %s (400), changing nothing', async (_name, key) => {
      const { cardNumber, offer, lines } = await shopperWithDepartmentOffer();
      const req = request(app.getHttpServer())
        .post('/v1/checkout/redemptions')
        .set('X-Api-Key', apiKey);
      if (key !== undefined) req.set('Idempotency-Key', key);
      const { body } = await req
        .send({ cardNumber, lines, posTransactionId: randomUUID(), offerCodes: [offer.code] })
        .expect(400);
      expect(body.errors).toEqual([
        { field: 'idempotency-key', messages: [expect.stringContaining('64 printable ASCII')] },
      ]);
      expect(await redemptionsOf(offer.offerId)).toHaveLength(0);
    });
  });

  it('refuses the same POS transaction id with another body (409 TRANSACTION_ID_REUSED), changing nothing', async () => {
    const first = await shopperWithDepartmentOffer();
    const second = await shopperWithDepartmentOffer();
    const posTransactionId = `store-7:lane-2:${randomUUID()}`;
    const original = await post('redemptions', {
      cardNumber: first.cardNumber,
      lines: first.lines,
      posTransactionId,
      offerCodes: [first.offer.code],
    }).expect(200);
    const others = [
      { cardNumber: second.cardNumber, offerCodes: [second.offer.code], lines: second.lines },
      {
        cardNumber: first.cardNumber,
        offerCodes: [first.offer.code],
        lines: [{ ...first.lines[0], amountCents: 301 }, ...first.lines.slice(1)],
      },
    ];
    for (const other of others) {
      const reused = await post(
        'redemptions',
        { ...other, posTransactionId },
        apiKey,
        randomUUID(),
      ).expect(409);
      expect(reused.body).toMatchObject({
        code: 'TRANSACTION_ID_REUSED',
        field: 'posTransactionId',
      });
    }
    expect(await redemptionsOf(second.offer.offerId)).toHaveLength(0);
    expect(await offerRow(second.offer.offerId)).toMatchObject({ state: 'issued' });
    const retry = await post('redemptions', {
      cardNumber: first.cardNumber,
      lines: first.lines,
      posTransactionId,
      offerCodes: [first.offer.code],
    }).expect(200);
    expect(retry.body).toEqual(original.body);
  });

  it('quotes clipped offers and leaves out reserved, redeemed and revoked ones', async () => {
    const { shopperId, cardNumber, offer, lines } = await shopperWithDepartmentOffer();
    await db.query(
      `UPDATE loyalty.offers SET state = 'clipped', clipped_at = now() WHERE id = $1`,
      [offer.offerId],
    );
    const department = lines[0].department;
    const reward = {
      kind: 'amountOff' as const,
      amountCents: 1,
      target: { scope: 'department' as const, department },
    };
    for (const state of ['reserved', 'redeemed', 'revoked']) {
      const other = await seedOffer(db, shopperId, reward);
      await db.query(
        `UPDATE loyalty.offers SET state = $2, state_changed_at = now(),
                store_id = CASE WHEN $2 IN ('reserved', 'redeemed') THEN 's' END,
                pos_transaction_id = CASE WHEN $2 IN ('reserved', 'redeemed') THEN 'p' END
          WHERE id = $1`,
        [other.offerId, state],
      );
    }
    const response = await post('quote', { cardNumber, lines }).expect(200);
    expect(response.body.offers.map((o: { code: string }) => o.code)).toEqual([offer.code]);
  });

  it('answers 503 CHECKOUT_UNAVAILABLE when the quote cannot finish within the lane budget', async () => {
    const { cardNumber, lines } = await shopperWithDepartmentOffer();
    const blocker = db.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    try {
      // Holds the wallet so the quote's read waits: a database slower than the lane's patience.
      await blocker.query(`LOCK TABLE loyalty.offers IN ACCESS EXCLUSIVE MODE`);
      const response = await post('quote', { cardNumber, lines }).expect(503);
      expect(response.body).toMatchObject({ code: 'CHECKOUT_UNAVAILABLE' });
      expect(response.headers['retry-after']).toBe('5');
    } finally {
      await blocker.rollbackTransaction();
      await blocker.release();
    }
  });

  describe('rejects bad input with a 400 naming the field', () => {
    it.each([
      ['bad check digit', { cardNumber: '9000000000016' }, 'cardNumber'],
      ['no lines', { lines: [] }, 'lines'],
      [
        'fractional cents',
        { lines: [{ sku: 'a', department: 'D', quantity: 1, amountCents: 1.5 }] },
        'lines[0].amountCents',
      ],
      ['no offer codes and no points', { offerCodes: [] }, 'offerCodes'],
      ['null offer codes with points', { offerCodes: null, pointsToSpend: 5 }, 'offerCodes'],
      ['points not whole', { pointsToSpend: 1.5 }, 'pointsToSpend'],
      ['no points', { pointsToSpend: 0 }, 'pointsToSpend'],
      ['points beyond any balance', { pointsToSpend: 1e12 }, 'pointsToSpend'],
      ['duplicate offer codes', { offerCodes: ['A', 'A'] }, 'offerCodes'],
      ['lower-case offer code', { offerCodes: ['abc'] }, 'offerCodes[0]'],
      [
        'amount beyond any receipt',
        { lines: [{ sku: 'a', department: 'D', quantity: 1, amountCents: 1e12 }] },
        'lines[0].amountCents',
      ],
      [
        'control character in a department',
        { lines: [{ sku: 'a', department: 'D\u0000', quantity: 1, amountCents: 1 }] },
        'lines[0].department',
      ],
      ['transaction id with spaces', { posTransactionId: 'a b' }, 'posTransactionId'],
      [
        'NUL in a SKU',
        { lines: [{ sku: 'a\u0000', department: 'D', quantity: 1, amountCents: 1 }] },
        'lines[0].sku',
      ],
      [
        'lone surrogate in a SKU',
        { lines: [{ sku: 'a\ud800', department: 'D', quantity: 1, amountCents: 1 }] },
        'lines[0].sku',
      ],
      [
        'lone surrogate in a department',
        { lines: [{ sku: 'a', department: '\udc00D', quantity: 1, amountCents: 1 }] },
        'lines[0].department',
      ],
      ['null card', { cardNumber: null }, 'cardNumber'],
      ['null lines', { lines: null }, 'lines'],
      ['null line', { lines: [null] }, 'lines[0]'],
      [
        'null SKU',
        { lines: [{ sku: null, department: 'D', quantity: 1, amountCents: 1 }] },
        'lines[0].sku',
      ],
      [
        'null department',
        { lines: [{ sku: 'a', department: null, quantity: 1, amountCents: 1 }] },
        'lines[0].department',
      ],
      [
        'null quantity',
        { lines: [{ sku: 'a', department: 'D', quantity: null, amountCents: 1 }] },
        'lines[0].quantity',
      ],
      [
        'null amount',
        { lines: [{ sku: 'a', department: 'D', quantity: 1, amountCents: null }] },
        'lines[0].amountCents',
      ],
      ['null transaction id', { posTransactionId: null }, 'posTransactionId'],
      ['null offer codes', { offerCodes: null }, 'offerCodes'],
      ['null offer code', { offerCodes: [null] }, 'offerCodes[0]'],
    ])('%s', async (_name, change, field) => {
      const { cardNumber, offer, lines } = await shopperWithDepartmentOffer();
      const body = {
        cardNumber,
        lines,
        posTransactionId: 'x',
        offerCodes: [offer.code],
        ...change,
      };
      const response = await post('redemptions', body).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await redemptionsOf(offer.offerId)).toHaveLength(0);
    });
  });

  it.each([
    [
      'lone surrogate in a SKU',
      { lines: [{ sku: '\ud83d', department: 'D', quantity: 1, amountCents: 1 }] },
      'lines[0].sku',
    ],
    [
      'NUL in a department',
      { lines: [{ sku: 'a', department: '\u0000', quantity: 1, amountCents: 1 }] },
      'lines[0].department',
    ],
    ['null card', { cardNumber: null }, 'cardNumber'],
    [
      'null quantity',
      { lines: [{ sku: 'a', department: 'D', quantity: null, amountCents: 1 }] },
      'lines[0].quantity',
    ],
  ])('refuses a quote with %s: 400 naming the field', async (_name, change, field) => {
    const { cardNumber, lines } = await shopperWithDepartmentOffer();
    const response = await post('quote', { cardNumber, lines, ...change }).expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('quotes a basket whose text holds a well-formed surrogate pair (an emoji)', async () => {
    const { cardNumber, lines } = await shopperWithDepartmentOffer();
    const response = await post('quote', {
      cardNumber,
      lines: [{ ...lines[0], sku: 'milk \ud83e\udd5b' }],
    }).expect(200);
    expect(response.body).toMatchObject({ cardKnown: true, discountCents: 30 });
  });

  it('refuses staff and shoppers on POS routes', async () => {
    const { cardNumber, lines } = await shopperWithDepartmentOffer();
    for (const role of ['marketer', 'shopper'] as const) {
      await request(app.getHttpServer())
        .post('/v1/checkout/quote')
        .set('Authorization', `Bearer ${tokenFor(role)}`)
        .send({ cardNumber, lines })
        .expect(401);
    }
  });

  it('refuses a revoked terminal key', async () => {
    const key = await createTerminal(db, 'store-7', 'lane-9');
    await db.query(`UPDATE loyalty.terminal_api_keys SET revoked_at = now() WHERE key_id = $1`, [
      key.split('_')[1],
    ]);
    await post(
      'quote',
      {
        cardNumber: makeCardNumber(),
        lines: [{ sku: 'a', department: 'X', quantity: 1, amountCents: 1 }],
      },
      key,
    ).expect(401);
  });
});
