import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { openDatabase, startLoyaltyApi, tokenFor } from '../../../test/support/apps';
import { makeCardNumber } from '../../../test/support/factories';
import { seedOffer } from '../../../test/support/fixtures';
import { OfferWalletService } from '../src/offers/offer-wallet.service';

// The call centre's screen pop, contact log and reissued offers. The population's category
// popularity and associations are coupon-engine's tables (`coupons.item_*`), seeded here with
// categories of this file's own: no other test writes them while this one runs (one worker), and
// the item insight test leaves them empty.
describe('loyalty-api support: the screen pop, contacts and reissued offers', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  const tag = randomUUID().slice(0, 8);
  const CAT = (name: string) => `${name}-${tag}`;
  const MILK = CAT('MILK');
  const BREAD = CAT('BREAD');

  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const agent = tokenFor('support', 'agent-42');
  const uniquePhone = () => `07400 ${randomInt(100_000, 1_000_000)}`;

  interface Shopper {
    token: string;
    householdId: string;
    cardNumber: string;
    phone: string;
    email: string;
  }

  async function enrol(profiling = true, phone = uniquePhone()): Promise<Shopper> {
    const token = tokenFor('shopper', `idp|${randomUUID()}`);
    const cardNumber = makeCardNumber();
    const email = `ann.lee+${randomUUID()}@example.com`;
    const household = (
      await http()
        .post('/v1/me/enrolment')
        .set(bearer(token))
        .send({ givenName: 'Ann', familyName: 'Lee', email, phone, cardNumber })
        .expect(201)
    ).body;
    await http()
      .put('/v1/me/consent')
      .set(bearer(token))
      .send({ email: false, sms: false, personalisedOffers: true, profiling })
      .expect(200);
    return { token, householdId: household.householdId, cardNumber, phone, email };
  }

  /** What pos-ingest derived from the household's sales: profile, product sums, transactions. */
  async function seedHistory(householdId: string): Promise<void> {
    await db.query(`INSERT INTO ingest.shoppers (id) VALUES ($1) ON CONFLICT DO NOTHING`, [
      householdId,
    ]);
    await db.query(
      `INSERT INTO ingest.shopper_profiles (shopper_id, lifetime_spend_cents, visits, spend_by_department_cents,
                                            points_balance, lifecycle, visits_52w, spend_52w_cents,
                                            top_departments, favourite_stores)
       VALUES ($1, 1500, 5, '{}', 0, 'active', 5, 1500,
               '[{"name": "DAIRY", "spendCents": 1000, "units": 4}]',
               '[{"name": "store-1", "visits": 5, "spendCents": 1500}]')`,
      [householdId],
    );
    const product = (
      sku: string,
      department: string,
      category: string,
      purchases: number,
      first: string,
    ) =>
      db.query(
        `INSERT INTO ingest.shopper_products (shopper_id, sku, department, category, spend_cents, units,
                                              purchases, first_bought_on, last_bought_on)
         VALUES ($1, $2, $3, $4, 100 * $5, $5, $5, $6, '2026-11-28')`,
        [householdId, sku, department, category, purchases, first],
      );
    // Milk four times, every 7 days up to 2026-11-28; bread once, that day.
    await product('milk-1', 'DAIRY', MILK, 4, '2026-11-07');
    await product('bread-1', 'BAKERY', BREAD, 1, '2026-11-28');
    const line = (sku: string, department: string, category: string) => ({
      sku,
      department,
      category,
      quantity: 1,
      unitPriceCents: 250,
      amountCents: 250,
    });
    for (const [day, lines] of [
      ['2026-11-21', [line('milk-1', 'DAIRY', MILK)]],
      ['2026-11-28', [line('milk-1', 'DAIRY', MILK), line('bread-1', 'BAKERY', BREAD)]],
    ] as const)
      await db.query(
        `INSERT INTO ingest.transactions (pos_transaction_id, store_id, terminal_id, cashier_id, business_date,
                                          type, shopper_id, occurred_at, utc_offset, total_cents, lines,
                                          tenders, applied_offers, received_at)
         VALUES ($1, 'store-1', 'lane-1', 'c-1', $2, 'sale', $3, $2::date + time '10:00', '+00:00', $4, $5, '[]', '[]', now())`,
        [`tx-${randomUUID()}`, day, householdId, lines.length * 250, JSON.stringify(lines)],
      );
    await db.query(
      `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
       SELECT $1, 'earn', 10 * n, 'test', gen_random_uuid()::text, now() - n * interval '1 day'
         FROM generate_series(1, 7) n`,
      [householdId],
    );
    await db.query(
      `INSERT INTO loyalty.points_accounts (household_id, balance) VALUES ($1, 280)
       ON CONFLICT (household_id) DO UPDATE SET balance = 280`,
      [householdId],
    );
  }

  beforeAll(async () => {
    db = await openDatabase();
    await db.query(
      `INSERT INTO coupons.item_popularity (level, item, households, share)
       VALUES ('category', $1, 500, 0.5), ('category', $2, 1000, 1.0)`,
      [MILK, CAT('EGGS')],
    );
    const association = (
      antecedent: string,
      consequent: string,
      confidence: number,
      lift: number,
    ) =>
      db.query(
        `INSERT INTO coupons.item_associations (level, antecedent, consequent, together, support, confidence, lift)
         VALUES ('category', $1, $2, 50, 0.05, $3, $4)`,
        [antecedent, consequent, confidence, lift],
      );
    await association(MILK, CAT('CEREAL'), 0.4, 2);
    await association(MILK, BREAD, 0.5, 1.5);
    await association(BREAD, CAT('BUTTER'), 0.3, 3);
    app = await startLoyaltyApi();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const screenPop = (query: string, token = agent) =>
    http().get(`/v1/support/screen-pop?${query}`).set(bearer(token));

  async function expiredOffer(householdId: string, expiredDaysAgo: number) {
    const validUntil = new Date(Date.now() - expiredDaysAgo * 86_400_000).toISOString();
    const offer = await seedOffer(
      db,
      householdId,
      { kind: 'amountOff', amountCents: 100, target: { basket: true } },
      { validUntil },
    );
    await db.query(
      `UPDATE loyalty.offers SET state = 'expired', state_changed_at = valid_until WHERE id = $1`,
      [offer.offerId],
    );
    return { ...offer, validUntil };
  }

  describe('the screen pop', () => {
    let shopper: Shopper;
    let live: { code: string };
    let expired: { code: string };
    let contactId: string;

    beforeAll(async () => {
      shopper = await enrol();
      await seedHistory(shopper.householdId);
      live = await seedOffer(db, shopper.householdId, {
        kind: 'percentOff',
        percent: 10,
        target: { department: 'DAIRY' },
      });
      await db.query(`UPDATE loyalty.offers SET reason = $2 WHERE code = $1`, [
        live.code,
        JSON.stringify({ fact: 'lifecycle', held: true, value: 'active' }),
      ]);
      expired = await expiredOffer(shopper.householdId, 3);
      await expiredOffer(shopper.householdId, 60);
      contactId = (
        await http()
          .post(`/v1/support/households/${shopper.householdId}/contacts`)
          .set(bearer(agent))
          .set('Idempotency-Key', `contact-${randomUUID()}`)
          .send({
            channel: 'phone',
            reason: 'points',
            outcome: 'resolved',
            note: 'Asked about points',
          })
          .expect(201)
      ).body.contactId;
    });

    it('shows who calls, what they bought and will buy, their points, offers and contacts', async () => {
      const body = (await screenPop(`phone=${encodeURIComponent(shopper.phone)}`).expect(200)).body;
      expect(body.household.householdId).toBe(shopper.householdId);
      expect(body.household.identity).toMatchObject({ givenName: 'Ann', familyName: 'Lee' });
      expect(body.household.cards).toEqual([
        expect.objectContaining({
          cardNumber: `****${shopper.cardNumber.slice(-4)}`,
          status: 'active',
        }),
      ]);
      expect(JSON.stringify(body)).not.toContain(shopper.cardNumber);
      expect(body.household.consent.profiling).toBe(true);
      expect(body.points.balance).toBe(280);
      // The latest five entries, newest first.
      expect(body.points.entries.map((e: { points: number }) => e.points)).toEqual([
        70, 60, 50, 40, 30,
      ]);
      expect(body.lastTransactions.map((t: { businessDate: string }) => t.businessDate)).toEqual([
        '2026-11-28',
        '2026-11-21',
      ]);
      expect(body.lastTransactions[0].lines.map((l: { sku: string }) => l.sku)).toEqual([
        'milk-1',
        'bread-1',
      ]);
      expect(body.profile).toEqual({
        lifecycle: 'active',
        visits52w: 5,
        spend52wCents: 1500,
        cadenceDays: null,
        lastVisitAt: null,
        favouriteDepartments: [{ name: 'DAIRY', spendCents: 1000, units: 4 }],
        favouriteStores: [{ name: 'store-1', visits: 5, spendCents: 1500 }],
      });
      const likely = new Map(
        body.insight.likelyNextPurchases.map((s: { category: string; reasons: string[] }) => [
          s.category,
          s.reasons,
        ]),
      );
      expect(likely.get(MILK)).toEqual(
        expect.arrayContaining(['bought 4 times', 'bought every 7 days']),
      );
      expect(likely.get(CAT('EGGS'))).toEqual(['popular with shoppers']);
      expect(likely.get(CAT('CEREAL'))).toEqual([`often bought with ${MILK}`]);
      // Bread was in the last basket itself: what goes with it, not it.
      expect(body.insight.goesWellWith).toEqual([
        { bought: BREAD, category: CAT('BUTTER'), confidence: 0.3, lift: 3 },
        { bought: MILK, category: CAT('CEREAL'), confidence: 0.4, lift: 2 },
      ]);
      expect(body.liveOffers).toEqual([
        expect.objectContaining({
          code: live.code,
          description: '10% off DAIRY',
          state: 'issued',
          reason: { fact: 'lifecycle', held: true, value: 'active' },
        }),
      ]);
      expect(body.reissuableOffers.map((o: { code: string }) => o.code)).toEqual([expired.code]);
      expect(body.contacts).toEqual([
        expect.objectContaining({
          contactId,
          channel: 'phone',
          reason: 'points',
          outcome: 'resolved',
          note: 'Asked about points',
          agent: 'agent-42',
        }),
      ]);
      const [read] = await db.query(
        `SELECT actor, details FROM loyalty.audit_log
          WHERE entity_id = $1 AND action = 'household.identity-read' ORDER BY id DESC LIMIT 1`,
        [shopper.householdId],
      );
      expect(read).toEqual({
        actor: 'agent-42',
        details: { reason: 'screen pop', foundBy: 'phone', roles: ['support'] },
      });
    });

    it('answers many agents at once: more lookups than the connection pool holds', async () => {
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => screenPop(`householdId=${shopper.householdId}`)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    });

    it('finds the same household by card, email and id', async () => {
      for (const query of [
        `card=${shopper.cardNumber}`,
        `email=${encodeURIComponent(shopper.email.toUpperCase())}`,
        `householdId=${shopper.householdId}`,
      ]) {
        const body = (await screenPop(query).expect(200)).body;
        expect(body.household.householdId).toBe(shopper.householdId);
      }
    });

    it('follows a merge to the household it went into, with its history; an erased household is not found', async () => {
      const target = await enrol();
      const source = await enrol();
      await seedHistory(source.householdId);
      await http()
        .post(`/v1/support/households/${target.householdId}/merges`)
        .set(bearer(agent))
        .send({ sourceHouseholdId: source.householdId, reason: 'Same family, two accounts' })
        .expect(201);
      for (const query of [`householdId=${source.householdId}`, `card=${source.cardNumber}`]) {
        const body = (await screenPop(query).expect(200)).body;
        expect(body.household.householdId).toBe(target.householdId);
        expect(body.household.cards).toHaveLength(2);
        expect(body.lastTransactions).toHaveLength(2);
      }
      await http()
        .post(`/v1/support/households/${target.householdId}/erasure`)
        .set(bearer(agent))
        .send({ reason: 'Asked to be forgotten' })
        .expect(200);
      await screenPop(`householdId=${source.householdId}`).expect(404);
    });

    it('shows no behaviour or insight without consent to profiling', async () => {
      const private_ = await enrol(false);
      await seedHistory(private_.householdId);
      const body = (await screenPop(`householdId=${private_.householdId}`).expect(200)).body;
      expect(body.profile).toBeNull();
      expect(body.insight).toBeNull();
      expect(body.lastTransactions).toHaveLength(2);
    });
  });

  describe('lookups it refuses', () => {
    it('answers 404 for an unknown phone, card, email or id', async () => {
      for (const query of [
        `phone=${encodeURIComponent(uniquePhone())}`,
        `card=${makeCardNumber()}`,
        `email=nobody-${randomUUID()}@example.com`,
        `householdId=${randomUUID()}`,
      ]) {
        const response = await screenPop(query).expect(404);
        expect(response.body.code).toBe('HOUSEHOLD_NOT_FOUND');
      }
    });

    it('answers 409 when households share the phone, naming how to choose', async () => {
      const phone = uniquePhone();
      await enrol(true, phone);
      await enrol(true, phone);
      const response = await screenPop(`phone=${encodeURIComponent(phone)}`).expect(409);
      expect(response.body.code).toBe('SEVERAL_HOUSEHOLDS');
    });

    it.each([
      ['no key', ''],
      ['two keys', `phone=07700900001&email=a@example.com`],
      ['a bad phone', 'phone=12'],
      ['a bad card', 'card=1234'],
      ['a bad id', 'householdId=not-a-uuid'],
      ['an unknown parameter', 'phone=07700900001&limit=5'],
    ])('answers 400 for %s', async (_name, query) => {
      const response = await screenPop(query).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('is for support and admins only', async () => {
      const query = `householdId=${randomUUID()}`;
      await http().get(`/v1/support/screen-pop?${query}`).expect(401);
      for (const role of ['shopper', 'marketer'] as const)
        await screenPop(query, tokenFor(role)).expect(403);
      await screenPop(query, tokenFor('admin')).expect(404);
    });
  });

  describe('contacts', () => {
    const contact = { channel: 'chat', reason: 'offers', outcome: 'follow-up', note: 'Call back' };
    const log = (householdId: string, key: string, body: object = contact) =>
      http()
        .post(`/v1/support/households/${householdId}/contacts`)
        .set(bearer(agent))
        .set('Idempotency-Key', key)
        .send(body);

    it('logs a contact once per key, audited; another body under the key is refused', async () => {
      const { householdId } = await enrol();
      const key = `k-${randomUUID()}`;
      const [first, second] = await Promise.all([log(householdId, key), log(householdId, key)]);
      expect(first.status).toBe(201);
      expect(second.body).toEqual(first.body);
      const refused = await log(householdId, key, { ...contact, outcome: 'resolved' }).expect(422);
      expect(refused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const rows = await db.query(
        `SELECT count(*)::int AS n FROM loyalty.support_contacts WHERE household_id = $1`,
        [householdId],
      );
      expect(rows[0].n).toBe(1);
      const audited = await db.query(
        `SELECT count(*)::int AS n FROM loyalty.audit_log WHERE entity_id = $1 AND action = 'support.contact-logged'`,
        [householdId],
      );
      expect(audited[0].n).toBe(1);
    });

    it.each([
      ['a bad channel', { ...contact, channel: 'fax' }, 'channel'],
      ['a missing outcome', { channel: 'chat', reason: 'offers' }, 'outcome'],
      ['a note too long', { ...contact, note: 'x'.repeat(2001) }, 'note'],
      ['an unknown field', { ...contact, points: 5 }, 'points'],
    ])('refuses %s with 400, storing nothing', async (_name, body, field) => {
      const { householdId } = await enrol();
      const response = await log(householdId, `k-${randomUUID()}`, body).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      const rows = await db.query(
        `SELECT count(*)::int AS n FROM loyalty.support_contacts WHERE household_id = $1`,
        [householdId],
      );
      expect(rows[0].n).toBe(0);
    });

    it('refuses a payment card number in the note, and without a key; 404 for no household', async () => {
      const { householdId } = await enrol();
      const card = await log(householdId, `k-${randomUUID()}`, {
        ...contact,
        note: 'card 4111 1111 1111 1111',
      }).expect(400);
      expect(card.body.code).toBe('PAYMENT_CARD_DATA');
      expect(JSON.stringify(card.body)).not.toContain('4111');
      await http()
        .post(`/v1/support/households/${householdId}/contacts`)
        .set(bearer(agent))
        .send(contact)
        .expect(400);
      const missing = await log(randomUUID(), `k-${randomUUID()}`).expect(404);
      expect(missing.body.code).toBe('HOUSEHOLD_NOT_FOUND');
    });
  });

  it("lists the contacts in the shopper's export; erasure scrubs notes and offer reasons", async () => {
    const shopper = await enrol();
    const key = `k-${randomUUID()}`;
    await http()
      .post(`/v1/support/households/${shopper.householdId}/contacts`)
      .set(bearer(agent))
      .set('Idempotency-Key', key)
      .send({ channel: 'email', reason: 'account', outcome: 'resolved', note: 'Ann moved house' })
      .expect(201);
    const offer = await seedOffer(db, shopper.householdId, {
      kind: 'amountOff',
      amountCents: 100,
      target: { basket: true },
    });
    await db.query(
      `UPDATE loyalty.offers SET reason = '{"fact": "tier", "held": true}' WHERE id = $1`,
      [offer.offerId],
    );
    const exported = (await http().get('/v1/me/export').set(bearer(shopper.token)).expect(200))
      .body;
    expect(exported.contacts).toEqual([
      expect.objectContaining({ channel: 'email', reason: 'account', note: 'Ann moved house' }),
    ]);
    await http().delete('/v1/me').set(bearer(shopper.token)).expect(200);
    const [contact] = await db.query(
      `SELECT note FROM loyalty.support_contacts WHERE household_id = $1`,
      [shopper.householdId],
    );
    expect(contact.note).toBe('scrubbed');
    const [row] = await db.query(`SELECT reason FROM loyalty.offers WHERE id = $1`, [
      offer.offerId,
    ]);
    expect(row.reason).toBeNull();
    await screenPop(`householdId=${shopper.householdId}`).expect(404);
  });

  describe('reissued offers', () => {
    const reissue = (householdId: string, code: string, key = `r-${randomUUID()}`) =>
      http()
        .post(`/v1/support/households/${householdId}/offers/${code}/reissue`)
        .set(bearer(agent))
        .set('Idempotency-Key', key)
        .send({ reason: 'Coupon expired while the shopper was away' });

    it('gives an expired offer back once: usable again, the same answer to a retry', async () => {
      const shopper = await enrol();
      const offer = await expiredOffer(shopper.householdId, 2);
      const key = `r-${randomUUID()}`;
      const [first, twin] = await Promise.all([
        reissue(shopper.householdId, offer.code, key),
        reissue(shopper.householdId, offer.code, key),
      ]);
      expect(first.status).toBe(200);
      expect(twin.body).toEqual(first.body);
      expect(first.body).toMatchObject({ code: offer.code, state: 'issued', agent: 'agent-42' });
      const validFor = Date.parse(first.body.validUntil) - Date.parse(first.body.reissuedAt);
      expect(validFor).toBe(7 * 86_400_000);
      const mine = (await http().get('/v1/me/offers').set(bearer(shopper.token)).expect(200)).body;
      expect(mine.offers.map((o: { code: string }) => o.code)).toContain(offer.code);

      const valid = await reissue(shopper.householdId, offer.code).expect(409);
      expect(valid.body.code).toBe('OFFER_STATE_CONFLICT');
      // The engine's expiry, redelivered, does not take it back.
      await app.get(OfferWalletService).receiveWithdrawn([
        {
          offerId: offer.offerId,
          householdId: shopper.householdId,
          ruleId: randomUUID(),
          ruleVersion: 1,
          kind: 'expired',
          cause: 'validity-ended',
          withdrawnAt: offer.validUntil,
        },
      ]);
      const [row] = await db.query(`SELECT state FROM loyalty.offers WHERE id = $1`, [
        offer.offerId,
      ]);
      expect(row.state).toBe('issued');
      const audited = await db.query(
        `SELECT count(*)::int AS n FROM loyalty.audit_log WHERE entity_id = $1 AND action = 'offer.reissued'`,
        [shopper.householdId],
      );
      expect(audited[0].n).toBe(1);
    });

    it('refuses what the policy does not allow', async () => {
      const shopper = await enrol();
      const other = await enrol();
      const old = await expiredOffer(shopper.householdId, 31);
      const live = await seedOffer(db, shopper.householdId, {
        kind: 'amountOff',
        amountCents: 100,
        target: { basket: true },
      });
      const theirs = await expiredOffer(other.householdId, 1);
      expect((await reissue(shopper.householdId, old.code).expect(422)).body.code).toBe(
        'OFFER_REISSUE_REFUSED',
      );
      expect((await reissue(shopper.householdId, live.code).expect(409)).body.code).toBe(
        'OFFER_STATE_CONFLICT',
      );
      expect((await reissue(shopper.householdId, theirs.code).expect(404)).body.code).toBe(
        'OFFER_NOT_FOUND',
      );
      const rows = await db.query(
        `SELECT count(*)::int AS n FROM loyalty.offer_reissues WHERE household_id = $1`,
        [shopper.householdId],
      );
      expect(rows[0].n).toBe(0);
    });
  });
});
