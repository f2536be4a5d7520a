import { HouseholdChangedV1, ShopperErasedV1, TOPICS, householdIdForCard } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  createTerminal,
  eventually,
  openDatabase,
  startLoyaltyApi,
  tokenFor,
} from '../../../test/support/apps';
import { makeCardNumber } from '../../../test/support/factories';
import { seedOffer } from '../../../test/support/fixtures';
import { findMessage, readUntil } from '../../../test/support/kafka';

describe('loyalty-api GDPR export and erasure', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let terminalKey: string;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startLoyaltyApi();
    terminalKey = await createTerminal(db, 'store-privacy', 'lane-1');
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const support = tokenFor('support', 'agent-9');

  /** A household with identity planted everywhere loyalty-api keeps it. */
  async function plantedHousehold() {
    const unique = randomUUID().slice(0, 8);
    const subject = `idp|${randomUUID()}`;
    const token = tokenFor('shopper', subject);
    const phoneDigits = `${randomInt(200, 1_000)}${randomInt(1_000, 10_000)}`;
    const identity = {
      givenName: `Zephyrine${unique}`,
      familyName: `Quixotely${unique}`,
      email: `zq.${unique}@example.org`,
      phone: `+1 212 ${phoneDigits}`,
      birthday: '1984-02-29',
      homeStoreId: 'store-7',
      postcode: `Z${unique.slice(0, 5).toUpperCase()} 9Z`,
      preferredLanguage: 'fr-BE',
    };
    const registered = makeCardNumber();
    const enrolled = await http()
      .post('/v1/me/enrolment')
      .set(bearer(token))
      .send({ ...identity, cardNumber: registered })
      .expect(201);
    const householdId: string = enrolled.body.householdId;
    const member = { givenName: `Ulrika${unique}`, familyName: `Quixotely${unique}` };
    await http().post('/v1/me/members').set(bearer(token)).send(member).expect(201);
    const fob = makeCardNumber();
    await http()
      .post('/v1/me/cards')
      .set(bearer(token))
      .send({ cardNumber: fob, kind: 'key-fob' })
      .expect(201);
    await http()
      .put('/v1/me/consent')
      .set(bearer(token))
      .send({ email: true, sms: true, personalisedOffers: false, profiling: true })
      .expect(200);
    await http()
      .put('/v1/me/demographics')
      .set(bearer(token))
      .send({ ageBand: '25-34', householdSize: 2, incomeBand: '40k-60k' })
      .expect(200);
    await http()
      .get(`/v1/support/households/${householdId}`)
      .query({ reason: `Call from ${identity.givenName} ${identity.familyName}` })
      .set(bearer(support))
      .expect(200);
    await db.query(
      `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
       VALUES ($1, 'earn', 42, 'test', $2, now())`,
      [householdId, randomUUID()],
    );
    await db.query(
      `INSERT INTO loyalty.points_accounts (household_id, balance) VALUES ($1, 42)
       ON CONFLICT (household_id) DO UPDATE SET balance = loyalty.points_accounts.balance + 42`,
      [householdId],
    );
    const offer = await seedOffer(db, householdId, {
      kind: 'amountOff',
      amountCents: 100,
      target: { basket: true },
    });
    await db.query(`INSERT INTO ingest.shoppers (id, registered) VALUES ($1, true)`, [householdId]);
    await db.query(
      `INSERT INTO ingest.transactions (pos_transaction_id, store_id, terminal_id, cashier_id, business_date, type,
         shopper_id, occurred_at, utc_offset, total_cents, lines, tenders, applied_offers, received_at)
       VALUES ($1, 'store-7', 'lane-1', 'c-1', '2026-11-20', 'sale', $2, '2026-11-20T10:00:00Z', '+00:00', 399,
         '[{"sku":"cheese","department":"DAIRY","quantity":1,"unitPriceCents":399,"amountCents":399}]', '[]', '[]', now())`,
      [`tx-${randomUUID()}`, householdId],
    );
    const secrets = [
      identity.givenName,
      identity.familyName,
      member.givenName,
      identity.email,
      `+1212${phoneDigits}`,
      identity.postcode,
      registered,
      fob,
      subject,
    ];
    return { token, subject, householdId, registered, fob, identity, offer, secrets };
  }

  it('exports everything loyalty-api holds about the household as one document', async () => {
    const planted = await plantedHousehold();
    const mine = (await http().get('/v1/me/export').set(bearer(planted.token)).expect(200)).body;
    expect(mine).toMatchObject({
      household: {
        id: planted.householdId,
        registered: true,
        mergedInto: null,
        erasedAt: null,
        demographics: { ageBand: '25-34', householdSize: 2, incomeBand: '40k-60k' },
      },
      consent: { email: true, sms: true, personalisedOffers: false, profiling: true },
      transactions: [
        { storeId: 'store-7', totalCents: 399, lines: [{ sku: 'cheese', amountCents: 399 }] },
      ],
      offers: [{ code: planted.offer.code, state: 'issued' }],
    });
    expect(mine.members.map((m: { givenName: string }) => m.givenName)).toEqual([
      planted.identity.givenName,
      planted.secrets[2],
    ]);
    expect(mine.members[0]).toMatchObject({
      email: planted.identity.email,
      postcode: planted.identity.postcode,
      birthday: '1984-02-29',
    });
    expect(mine.cards.map((c: { cardNumber: string }) => c.cardNumber).sort()).toEqual(
      [planted.registered, planted.fob].sort(),
    );
    expect(mine.consentHistory).toHaveLength(3);
    expect(mine.pointsLedger).toContainEqual(expect.objectContaining({ kind: 'earn', points: 42 }));
    expect(mine.staffReads).toEqual([
      expect.objectContaining({ by: 'agent-9', reason: expect.stringContaining('Call from') }),
    ]);

    const forSupport = await http()
      .get(`/v1/support/households/${planted.householdId}/export`)
      .query({ reason: 'Subject access request by post' })
      .set(bearer(support))
      .expect(200);
    expect(JSON.stringify(forSupport.body)).not.toContain(planted.registered);
    expect(
      (
        await db.query(
          `SELECT count(*)::int AS n FROM loyalty.audit_log WHERE entity_id = $1 AND action = 'household.exported'`,
          [planted.householdId],
        )
      )[0].n,
    ).toBe(1);
    await http()
      .get(`/v1/support/households/${planted.householdId}/export`)
      .set(bearer(support))
      .expect(400);
  });

  it('erases the identity from every loyalty table, keeps the points, answers a retry the same and tells the other apps', async () => {
    const planted = await plantedHousehold();
    const erased = await http().delete('/v1/me').set(bearer(planted.token)).expect(200);
    expect(erased.body).toEqual({ householdId: planted.householdId, erasedAt: expect.any(String) });
    expect((await http().delete('/v1/me').set(bearer(planted.token)).expect(200)).body).toEqual(
      erased.body,
    );
    expect(
      (
        await http()
          .post(`/v1/support/households/${planted.householdId}/erasure`)
          .set(bearer(support))
          .send({ reason: 'Second request by post' })
          .expect(200)
      ).body,
    ).toEqual(erased.body);

    const event = await findMessage(
      TOPICS.shopperErased,
      (m) => m.key?.toString() === planted.householdId,
    );
    expect(JSON.parse(event.value!.toString())).toEqual({
      householdId: planted.householdId,
      erasedAt: erased.body.erasedAt,
    } satisfies ShopperErasedV1);
    // Its last state on the household topic names no card (a compacted topic keeps only that).
    const states = await readUntil(
      TOPICS.householdChanged,
      (m) =>
        m.key?.toString() === planted.householdId &&
        (JSON.parse(m.value!.toString()) as HouseholdChangedV1).cards.length === 0,
    );
    const last = states.filter((m) => m.key?.toString() === planted.householdId).at(-1);
    expect(JSON.parse(last!.value!.toString())).toMatchObject({
      householdId: planted.householdId,
      cards: [],
      registered: false,
      birthday: null,
    });
    // The household-changed events that listed its cards leave the outbox once published.
    await eventually(async () => {
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM loyalty.outbox WHERE key = $1`,
        [planted.householdId],
      );
      return n === 0;
    });

    const tables: { table_name: string }[] = await db.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'loyalty' AND table_type = 'BASE TABLE'`,
    );
    for (const { table_name } of tables) {
      const rows: { row: string }[] = await db.query(
        `SELECT t::text AS row FROM loyalty.${table_name} t`,
      );
      const text = rows.map((r) => r.row).join('\n');
      for (const secret of planted.secrets) {
        expect({ table_name, holds: text.includes(secret) ? secret : null }).toEqual({
          table_name,
          holds: null,
        });
      }
    }

    const [household] = await db.query(
      `SELECT registered, erased_at, age_band, household_size, income_band
         FROM loyalty.households WHERE id = $1`,
      [planted.householdId],
    );
    expect(household).toEqual({
      registered: false,
      erased_at: expect.any(Date),
      age_band: null,
      household_size: null,
      income_band: null,
    });
    const [account] = await db.query(
      `SELECT balance FROM loyalty.points_accounts WHERE household_id = $1`,
      [planted.householdId],
    );
    expect(Number(account.balance)).toBe(42);
    expect(
      await db.query(
        `SELECT purpose, granted, changed_by, changed_by_role FROM loyalty.consent_history
          WHERE household_id = $1 ORDER BY id`,
        [planted.householdId],
      ),
    ).toEqual([
      { purpose: 'email', granted: true, changed_by: 'erased', changed_by_role: 'shopper' },
      { purpose: 'sms', granted: true, changed_by: 'erased', changed_by_role: 'shopper' },
      { purpose: 'profiling', granted: true, changed_by: 'erased', changed_by_role: 'shopper' },
    ]);

    // Its cards are unknown at the till and never registered again; its subject may enrol anew.
    const quote = await http()
      .post('/v1/checkout/quote')
      .set('X-Api-Key', terminalKey)
      .send({
        cardNumber: planted.fob,
        lines: [{ sku: 'a', department: 'D', quantity: 1, amountCents: 100 }],
      })
      .expect(200);
    expect(quote.body).toMatchObject({ cardKnown: false, offers: [] });
    const again = await http()
      .post('/v1/me/enrolment')
      .set(bearer(tokenFor('shopper', `idp|${randomUUID()}`)))
      .send({
        givenName: 'New',
        familyName: 'Owner',
        email: `${randomUUID()}@example.org`,
        cardNumber: planted.registered,
      })
      .expect(409);
    expect(again.body.code).toBe('CARD_ERASED');
    expect(householdIdForCard(planted.registered)).toBe(planted.householdId);
    await http().get('/v1/me').set(bearer(planted.token)).expect(404);
  });

  it('lets support erase with a reason, and refuses one without', async () => {
    const planted = await plantedHousehold();
    await http()
      .post(`/v1/support/households/${planted.householdId}/erasure`)
      .set(bearer(support))
      .send({})
      .expect(400);
    expect(
      (
        await db.query(`SELECT erased_at FROM loyalty.households WHERE id = $1`, [
          planted.householdId,
        ])
      )[0].erased_at,
    ).toBeNull();
    await http()
      .post(`/v1/support/households/${planted.householdId}/erasure`)
      .set(bearer(support))
      .send({ reason: 'Erasure request by letter' })
      .expect(200);
    // The account holder's later request gets the same answer.
    const mine = await http().delete('/v1/me').set(bearer(planted.token)).expect(200);
    expect(mine.body.householdId).toBe(planted.householdId);
    await http()
      .post(`/v1/support/households/${randomUUID()}/erasure`)
      .set(bearer(support))
      .send({ reason: 'Unknown' })
      .expect(404);
  });
});
