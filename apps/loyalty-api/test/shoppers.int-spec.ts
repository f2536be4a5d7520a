import { HouseholdChangedV1, TOPICS, householdIdForCard, isCardNumber } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  createTerminal,
  openDatabase,
  startLoyaltyApi,
  tokenFor,
} from '../../../test/support/apps';
import { makeCardNumber } from '../../../test/support/factories';
import { findMessage } from '../../../test/support/kafka';

describe('loyalty-api shoppers and households', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let terminalKey: string;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startLoyaltyApi();
    terminalKey = await createTerminal(db, 'store-shoppers', 'lane-1');
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const support = tokenFor('support', 'agent-7');

  const newShopper = () => tokenFor('shopper', `idp|${randomUUID()}`);
  const enrolment = (overrides: Record<string, unknown> = {}) => ({
    givenName: 'Ann',
    familyName: 'Lee',
    email: `Ann.Lee+${randomUUID()}@Example.com `,
    phone: '07911 123456',
    birthday: '1990-05-17',
    homeStoreId: 'store-42',
    postcode: 'sw1a 1aa',
    preferredLanguage: 'en-GB',
    ...overrides,
  });

  async function enrol(token = newShopper(), body: object = enrolment()) {
    const response = await http()
      .post('/v1/me/enrolment')
      .set(bearer(token))
      .send(body)
      .expect(201);
    return { token, household: response.body, householdId: response.body.householdId as string };
  }

  const count = async (sql: string, params: unknown[]) =>
    Number((await db.query(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n);

  const quote = (cardNumber: string) =>
    http()
      .post('/v1/checkout/quote')
      .set('X-Api-Key', terminalKey)
      .send({ cardNumber, lines: [{ sku: 'a', department: 'D', quantity: 1, amountCents: 100 }] });

  async function eventOf(householdId: string, version: number): Promise<HouseholdChangedV1> {
    const message = await findMessage(
      TOPICS.householdChanged,
      (m) =>
        m.key?.toString() === householdId &&
        (JSON.parse(m.value!.toString()) as HouseholdChangedV1).version === version,
    );
    return JSON.parse(message.value!.toString());
  }

  /** Points booked as the points ledger books them: a card's own household opens with them. */
  async function seedPoints(householdId: string, points: number) {
    await db.query(`INSERT INTO loyalty.households (id) VALUES ($1) ON CONFLICT DO NOTHING`, [
      householdId,
    ]);
    await db.query(
      `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
       VALUES ($1, 'earn', $2, 'test', $3, now())`,
      [householdId, points, randomUUID()],
    );
    await db.query(
      `INSERT INTO loyalty.points_accounts (household_id, balance) VALUES ($1, $2)
       ON CONFLICT (household_id) DO UPDATE SET balance = loyalty.points_accounts.balance + $2`,
      [householdId, points],
    );
  }

  const balanceOf = async (householdId: string) =>
    Number(
      (
        await db.query(`SELECT balance FROM loyalty.points_accounts WHERE household_id = $1`, [
          householdId,
        ])
      )[0]?.balance ?? 0,
    );

  describe('enrolment', () => {
    it('enrols a shopper with a new digital card of ours, normalised, with its event', async () => {
      const token = newShopper();
      const body = enrolment();
      const { household, householdId } = await enrol(token, body);
      const [card] = household.cards;
      expect(card).toMatchObject({ kind: 'digital', status: 'active' });
      expect(card.cardNumber.startsWith('98')).toBe(true);
      expect(isCardNumber(card.cardNumber)).toBe(true);
      expect(householdId).toBe(householdIdForCard(card.cardNumber));
      expect(household).toMatchObject({
        registered: true,
        identity: {
          givenName: 'Ann',
          email: body.email.trim().toLowerCase(),
          phone: '+447911123456',
          birthday: '1990-05-17',
          postcode: 'SW1A 1AA',
          preferredLanguage: 'en-GB',
        },
        consent: { email: false, sms: false, personalisedOffers: false, profiling: false },
        pointsBalance: 0,
        tier: null,
        version: 1,
      });
      const event = await eventOf(householdId, 1);
      expect(event).toMatchObject({
        householdId,
        cards: [{ cardNumber: card.cardNumber, status: 'active' }],
        mergedInto: null,
        registered: true,
        enrolledOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        birthday: '05-17',
        homeStoreId: 'store-42',
        consent: { email: false, sms: false, personalisedOffers: false, profiling: false },
      });
      expect(JSON.stringify(event)).not.toContain('Ann');
    });

    it('answers the same enrolment again, also 5 at once, with the one household; another body is 409', async () => {
      const token = newShopper();
      const body = enrolment();
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          http().post('/v1/me/enrolment').set(bearer(token)).send(body),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(answers.map((a) => a.body.householdId)).size).toBe(1);
      expect(new Set(answers.map((a) => a.body.cards[0].cardNumber)).size).toBe(1);
      const other = await http()
        .post('/v1/me/enrolment')
        .set(bearer(token))
        .send({ ...body, givenName: 'Bea' })
        .expect(409);
      expect(other.body.code).toBe('ALREADY_ENROLLED');
    });

    it('registers a card seen at a till: the household takes its id and keeps its points', async () => {
      const cardNumber = makeCardNumber();
      await seedPoints(householdIdForCard(cardNumber), 120);
      const { household } = await enrol(newShopper(), enrolment({ cardNumber }));
      expect(household).toMatchObject({
        householdId: householdIdForCard(cardNumber),
        cards: [{ cardNumber, kind: 'card', status: 'active' }],
        pointsBalance: 120,
      });
      const again = await http()
        .post('/v1/me/enrolment')
        .set(bearer(newShopper()))
        .send(enrolment({ cardNumber }))
        .expect(409);
      expect(again.body).toMatchObject({ code: 'CARD_ALREADY_REGISTERED', field: 'cardNumber' });
    });

    it('refuses an email registered to another household (409), whatever its case', async () => {
      const body = enrolment();
      await enrol(newShopper(), body);
      const response = await http()
        .post('/v1/me/enrolment')
        .set(bearer(newShopper()))
        .send(enrolment({ email: body.email.toUpperCase() }))
        .expect(409);
      expect(response.body).toMatchObject({ code: 'EMAIL_ALREADY_REGISTERED', field: 'email' });
    });

    it('lets support enrol a shopper, a retry answering the same', async () => {
      const body = enrolment();
      const first = await http()
        .post('/v1/support/households')
        .set(bearer(support))
        .send(body)
        .expect(201);
      const retry = await http()
        .post('/v1/support/households')
        .set(bearer(support))
        .send(body)
        .expect(201);
      expect(retry.body.householdId).toBe(first.body.householdId);
      expect(first.body.cards[0].cardNumber).toMatch(/^\*\*\*\*\d{4}$/);
      expect(
        await count(`loyalty.audit_log WHERE action = 'household.enrolled' AND entity_id = $1`, [
          first.body.householdId,
        ]),
      ).toBe(1);
    });

    const bad: [string, Record<string, unknown>, string][] = [
      ['no given name', { givenName: undefined }, 'givenName'],
      ['an empty given name', { givenName: '  ' }, 'givenName'],
      ['a control character in a name', { familyName: 'Lee\u0000' }, 'familyName'],
      ['a name too long', { familyName: 'x'.repeat(101) }, 'familyName'],
      ['null for a name', { givenName: null }, 'givenName'],
      ['no email', { email: undefined }, 'email'],
      ['an invalid email', { email: 'ann@' }, 'email'],
      ['an email with a lone surrogate', { email: '\udfff@example.org' }, 'email'],
      ['a number for email', { email: 42 }, 'email'],
      ['an invalid phone number', { phone: '12' }, 'phone'],
      ['letters for a phone number', { phone: 'call me maybe' }, 'phone'],
      ['29 February of a common year', { birthday: '2023-02-29' }, 'birthday'],
      ['a birthday in the future', { birthday: '2999-01-01' }, 'birthday'],
      ['a month 13', { birthday: '1990-13-01' }, 'birthday'],
      ['a birthday with a time', { birthday: '1990-05-17T00:00:00Z' }, 'birthday'],
      ['a postcode too short', { postcode: 'A' }, 'postcode'],
      ['a postcode with a newline', { postcode: 'SW1A\n1AA' }, 'postcode'],
      ['a language that is no tag', { preferredLanguage: 'english' }, 'preferredLanguage'],
      ['a store id with spaces', { homeStoreId: 'store 42' }, 'homeStoreId'],
      ['a card number with a wrong check digit', { cardNumber: '9800000000009062' }, 'cardNumber'],
      ['a field of no contract', { nickname: 'Annie' }, 'nickname'],
    ];

    it.each(bad)(
      'refuses %s (400 naming the field), storing nothing',
      async (_name, change, field) => {
        const token = newShopper();
        const body = enrolment(change);
        const response = await http()
          .post('/v1/me/enrolment')
          .set(bearer(token))
          .send(body)
          .expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
        expect(
          JSON.stringify(response.body.errors.map((e: { field: string }) => e.field)),
        ).toContain(field);
        const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
        expect(await count(`loyalty.shoppers WHERE email = $1`, [email])).toBe(0);
      },
    );

    it('accepts 29 February of a leap year', async () => {
      const { household } = await enrol(newShopper(), enrolment({ birthday: '2000-02-29' }));
      expect(household.identity.birthday).toBe('2000-02-29');
      expect((await eventOf(household.householdId, 1)).birthday).toBe('02-29');
    });
  });

  describe('the household', () => {
    it('adds a member, and the same member again is the one already there', async () => {
      const { token, householdId } = await enrol();
      const member = { givenName: 'Cal', familyName: 'Lee', birthday: '2012-09-01' };
      const first = await http().post('/v1/me/members').set(bearer(token)).send(member).expect(201);
      const again = await http().post('/v1/me/members').set(bearer(token)).send(member).expect(201);
      expect(again.body).toEqual(first.body);
      expect(await count(`loyalty.shoppers WHERE household_id = $1`, [householdId])).toBe(2);
      const bad = await http()
        .post('/v1/me/members')
        .set(bearer(token))
        .send({ ...member, birthday: '2012-02-30' })
        .expect(400);
      expect(bad.body.errors[0].field).toBe('birthday');
    });

    it("takes in a card seen at a till with its points; another household's card is 409", async () => {
      const { token, householdId } = await enrol();
      const fob = makeCardNumber();
      await seedPoints(householdIdForCard(fob), 75);
      const me = (await http().get('/v1/me').set(bearer(token)).expect(200)).body;
      const response = await http()
        .post('/v1/me/cards')
        .set(bearer(token))
        .send({ cardNumber: fob, kind: 'key-fob', holderId: me.members[0].id })
        .expect(201);
      expect(response.body.cards).toContainEqual(
        expect.objectContaining({ cardNumber: fob, kind: 'key-fob', status: 'active' }),
      );
      expect(response.body.pointsBalance).toBe(75);
      expect(await balanceOf(householdIdForCard(fob))).toBe(0);
      expect((await eventOf(householdId, 2)).cards.map((c) => c.cardNumber)).toContain(fob);
      // A retry changes nothing.
      await http()
        .post('/v1/me/cards')
        .set(bearer(token))
        .send({ cardNumber: fob, kind: 'key-fob', holderId: me.members[0].id })
        .expect(201);
      expect(await balanceOf(householdId)).toBe(75);

      const other = await enrol();
      const taken = await http()
        .post('/v1/me/cards')
        .set(bearer(other.token))
        .send({ cardNumber: fob })
        .expect(409);
      expect(taken.body).toMatchObject({ code: 'CARD_ALREADY_REGISTERED', field: 'cardNumber' });
    });

    it('gives a card two households race for to exactly one of them', async () => {
      const [a, b] = await Promise.all([enrol(), enrol()]);
      const cardNumber = makeCardNumber();
      await seedPoints(householdIdForCard(cardNumber), 10);
      const answers = await Promise.all(
        [a, b].map((s) => http().post('/v1/me/cards').set(bearer(s.token)).send({ cardNumber })),
      );
      expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
      const winner = answers.find((r) => r.status === 201)!.body.householdId;
      expect(await balanceOf(winner)).toBe(10);
      expect(await count(`loyalty.cards WHERE card_number = $1`, [cardNumber])).toBe(1);
    });

    it('lets only the account holder add cards and members', async () => {
      const { token: holder } = await enrol();
      const { token: other, householdId: otherId } = await enrol();
      const me = (await http().get('/v1/me').set(bearer(holder)).expect(200)).body;
      // A merge makes the other household's account holder a member here.
      await http()
        .post(`/v1/support/households/${me.householdId}/merges`)
        .set(bearer(support))
        .send({ sourceHouseholdId: otherId, reason: 'Same family, two accounts' })
        .expect(201);
      const response = await http()
        .post('/v1/me/members')
        .set(bearer(other))
        .send({ givenName: 'Dee', familyName: 'Lee' })
        .expect(403);
      expect(response.body.code).toBe('NOT_ACCOUNT_HOLDER');
      expect((await http().get('/v1/me').set(bearer(other)).expect(200)).body.householdId).toBe(
        me.householdId,
      );
    });
  });

  describe('the card lifecycle', () => {
    it('a card reported lost by the shopper is refused at the till; reporting again changes nothing', async () => {
      const { token, household } = await enrol();
      const cardNumber: string = household.cards[0].cardNumber;
      await quote(cardNumber).expect(200);
      const lost = await http()
        .post(`/v1/me/cards/${cardNumber}/lost`)
        .set(bearer(token))
        .expect(200);
      expect(lost.body.cards[0].status).toBe('lost');
      expect(lost.body.version).toBe(2);
      const again = await http()
        .post(`/v1/me/cards/${cardNumber}/lost`)
        .set(bearer(token))
        .expect(200);
      expect(again.body.version).toBe(2);
      expect((await quote(cardNumber).expect(422)).body).toMatchObject({
        code: 'CARD_LOST',
        field: 'cardNumber',
      });
      expect((await eventOf(household.householdId, 2)).cards).toEqual([
        { cardNumber, status: 'lost' },
      ]);
    });

    it("answers 404 for another household's card, as for no card, and changes nothing", async () => {
      const { token } = await enrol();
      const other = await enrol();
      const theirs: string = other.household.cards[0].cardNumber;
      const response = await http()
        .post(`/v1/me/cards/${theirs}/lost`)
        .set(bearer(token))
        .expect(404);
      expect(response.body.code).toBe('CARD_NOT_FOUND');
      await http().post(`/v1/me/cards/${makeCardNumber()}/lost`).set(bearer(token)).expect(404);
      expect(
        (await db.query(`SELECT status FROM loyalty.cards WHERE card_number = $1`, [theirs]))[0]
          .status,
      ).toBe('active');
      await http().post(`/v1/me/cards/1234/lost`).set(bearer(token)).expect(400);
    });

    it('support blocks a card, then replaces it: the household keeps its points, the new card works', async () => {
      const { household, householdId } = await enrol();
      const old: string = household.cards[0].cardNumber;
      await seedPoints(householdId, 40);
      const path = `/v1/support/households/${householdId}/cards/${old}`;
      const blocked = await http()
        .post(`${path}/block`)
        .set(bearer(support))
        .send({ reason: 'Fraud check' })
        .expect(200);
      expect(blocked.body.cards[0]).toMatchObject({
        cardNumber: `****${old.slice(-4)}`,
        status: 'blocked',
      });
      expect((await quote(old).expect(422)).body.code).toBe('CARD_BLOCKED');
      const lost = await http()
        .post(`${path}/lost`)
        .set(bearer(support))
        .send({ reason: 'Customer says lost' })
        .expect(409);
      expect(lost.body.code).toBe('CARD_STATE_CONFLICT');

      const newCard = makeCardNumber();
      const replaced = await http()
        .post(`${path}/replacement`)
        .set(bearer(support))
        .send({ reason: 'New card posted', newCardNumber: newCard })
        .expect(200);
      await http()
        .post(`${path}/replacement`)
        .set(bearer(support))
        .send({ reason: 'New card posted', newCardNumber: newCard })
        .expect(200);
      expect(replaced.body.pointsBalance).toBe(40);
      const rows = await db.query(
        `SELECT card_number, status, replaced_by FROM loyalty.cards WHERE household_id = $1 ORDER BY created_at`,
        [householdId],
      );
      expect(rows).toEqual([
        { card_number: old, status: 'replaced', replaced_by: newCard },
        { card_number: newCard, status: 'active', replaced_by: null },
      ]);
      expect((await quote(old).expect(422)).body.code).toBe('CARD_REPLACED');
      expect((await quote(newCard).expect(200)).body.cardKnown).toBe(true);
      expect(
        await count(`loyalty.audit_log WHERE entity_id = $1 AND action LIKE 'card.%'`, [
          householdId,
        ]),
      ).toBe(2);
      const audit = await db.query(`SELECT details FROM loyalty.audit_log WHERE entity_id = $1`, [
        householdId,
      ]);
      expect(JSON.stringify(audit)).not.toContain(old);
    });
  });

  describe('merge', () => {
    it('moves cards, members and points into the target; the same merge again answers the same', async () => {
      const target = await enrol();
      const source = await enrol();
      await seedPoints(source.householdId, 30);
      await seedPoints(target.householdId, 5);
      const merge = () =>
        http()
          .post(`/v1/support/households/${target.householdId}/merges`)
          .set(bearer(support))
          .send({ sourceHouseholdId: source.householdId, reason: 'Couple with two accounts' });
      const first = await merge().expect(201);
      const again = await merge().expect(201);
      expect(again.body).toEqual(first.body);
      expect(first.body).toMatchObject({
        sourceHouseholdId: source.householdId,
        targetHouseholdId: target.householdId,
        mergedBy: 'agent-7',
      });
      expect(await balanceOf(target.householdId)).toBe(35);
      expect(await balanceOf(source.householdId)).toBe(0);
      const sourceCard: string = source.household.cards[0].cardNumber;
      expect(
        (
          await db.query(`SELECT household_id FROM loyalty.cards WHERE card_number = $1`, [
            sourceCard,
          ])
        )[0].household_id,
      ).toBe(target.householdId);
      expect(
        await db.query(
          `SELECT account_holder FROM loyalty.shoppers WHERE household_id = $1 ORDER BY account_holder DESC`,
          [target.householdId],
        ),
      ).toEqual([{ account_holder: true }, { account_holder: false }]);
      const sourceEvent = await eventOf(source.householdId, 2);
      expect(sourceEvent).toMatchObject({ mergedInto: target.householdId, cards: [] });
      const targetEvent = await eventOf(target.householdId, 2);
      expect(targetEvent.cards.map((c) => c.cardNumber)).toContain(sourceCard);
      expect(
        await count(`loyalty.audit_log WHERE action = 'household.merged' AND entity_id = $1`, [
          target.householdId,
        ]),
      ).toBe(1);
      expect((await quote(sourceCard).expect(200)).body.cardKnown).toBe(true);

      const third = await enrol();
      const elsewhere = await http()
        .post(`/v1/support/households/${third.householdId}/merges`)
        .set(bearer(support))
        .send({ sourceHouseholdId: source.householdId, reason: 'Again' })
        .expect(409);
      expect(elsewhere.body.code).toBe('HOUSEHOLD_ALREADY_MERGED');
      const intoMerged = await http()
        .post(`/v1/support/households/${source.householdId}/merges`)
        .set(bearer(support))
        .send({ sourceHouseholdId: third.householdId, reason: 'Into a merged one' })
        .expect(409);
      expect(intoMerged.body.code).toBe('MERGE_REFUSED');
    });

    it('answers 5 identical merges at once the same, moving the points once', async () => {
      const target = await enrol();
      const source = await enrol();
      await seedPoints(source.householdId, 20);
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          http()
            .post(`/v1/support/households/${target.householdId}/merges`)
            .set(bearer(support))
            .send({ sourceHouseholdId: source.householdId, reason: 'Duplicate accounts' }),
        ),
      );
      expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1);
      expect(await balanceOf(target.householdId)).toBe(20);
      expect(
        await count(`loyalty.points_ledger WHERE household_id = $1 AND kind = 'transfer'`, [
          target.householdId,
        ]),
      ).toBe(1);
    });

    it('refuses a merge into itself (422) and an unknown household (404)', async () => {
      const { householdId } = await enrol();
      const itself = await http()
        .post(`/v1/support/households/${householdId}/merges`)
        .set(bearer(support))
        .send({ sourceHouseholdId: householdId, reason: 'Oops' })
        .expect(422);
      expect(itself.body.code).toBe('MERGE_INTO_ITSELF');
      const unknown = await http()
        .post(`/v1/support/households/${householdId}/merges`)
        .set(bearer(support))
        .send({ sourceHouseholdId: randomUUID(), reason: 'Oops' })
        .expect(404);
      expect(unknown.body).toMatchObject({
        code: 'HOUSEHOLD_NOT_FOUND',
        field: 'sourceHouseholdId',
      });
      for (const body of [
        { sourceHouseholdId: 'not-a-uuid', reason: 'Oops' },
        { sourceHouseholdId: randomUUID() },
        { sourceHouseholdId: randomUUID(), reason: 'x\u0007y' },
      ]) {
        await http()
          .post(`/v1/support/households/${householdId}/merges`)
          .set(bearer(support))
          .send(body)
          .expect(400);
      }
      expect(
        await count(`loyalty.household_merges WHERE target_household_id = $1`, [householdId]),
      ).toBe(0);
    });
  });

  describe('consent', () => {
    it('starts with nothing agreed; every change is kept with who and when, and goes out with the household', async () => {
      const { token, householdId } = await enrol();
      expect((await http().get('/v1/me/consent').set(bearer(token)).expect(200)).body).toEqual({
        email: false,
        sms: false,
        personalisedOffers: false,
        profiling: false,
        history: [],
      });
      const consent = { email: true, sms: false, personalisedOffers: true, profiling: false };
      await http().put('/v1/me/consent').set(bearer(token)).send(consent).expect(200);
      await http().put('/v1/me/consent').set(bearer(token)).send(consent).expect(200);
      await http()
        .put(`/v1/support/households/${householdId}/consent`)
        .set(bearer(support))
        .send({ ...consent, email: false, reason: 'Customer asked by phone' })
        .expect(200);
      const mine = (await http().get('/v1/me/consent').set(bearer(token)).expect(200)).body;
      expect(mine).toMatchObject({ email: false, personalisedOffers: true });
      expect(
        mine.history.map((h: { purpose: string; granted: boolean; changedByRole: string }) => [
          h.purpose,
          h.granted,
          h.changedByRole,
        ]),
      ).toEqual([
        ['email', true, 'shopper'],
        ['personalisedOffers', true, 'shopper'],
        ['email', false, 'support'],
      ]);
      expect(
        await db.query(
          `SELECT changed_by FROM loyalty.consent_history WHERE household_id = $1 ORDER BY id`,
          [householdId],
        ),
      ).toEqual([
        { changed_by: expect.stringMatching(/^idp\|/) },
        { changed_by: expect.stringMatching(/^idp\|/) },
        { changed_by: 'agent-7' },
      ]);
      expect((await eventOf(householdId, 3)).consent).toEqual({ ...consent, email: false });
    });

    it.each([
      [{ email: true, sms: false, personalisedOffers: false }, 'profiling'],
      [{ email: 'yes', sms: false, personalisedOffers: false, profiling: false }, 'email'],
      [
        { email: true, sms: false, personalisedOffers: false, profiling: false, marketing: true },
        'marketing',
      ],
    ])('refuses %j (400 naming %s), storing nothing', async (body, field) => {
      const { token, householdId } = await enrol();
      const response = await http().put('/v1/me/consent').set(bearer(token)).send(body).expect(400);
      expect(response.body.errors[0].field).toBe(field);
      expect(await count(`loyalty.consent_history WHERE household_id = $1`, [householdId])).toBe(0);
    });
  });

  describe('demographics', () => {
    it('are declared by the account holder, shown, sent with the household, and the same again changes nothing', async () => {
      const { token, householdId } = await enrol();
      const none = { ageBand: null, householdSize: null, incomeBand: null };
      expect((await http().get('/v1/me').set(bearer(token)).expect(200)).body.demographics).toEqual(
        none,
      );
      const declared = { ageBand: '35-44', householdSize: 4, incomeBand: null };
      for (let i = 0; i < 2; i++)
        expect(
          (await http().put('/v1/me/demographics').set(bearer(token)).send(declared).expect(200))
            .body,
        ).toEqual(declared);
      expect((await http().get('/v1/me').set(bearer(token)).expect(200)).body).toMatchObject({
        demographics: declared,
        version: 2,
      });
      expect((await eventOf(householdId, 2)).demographics).toEqual(declared);
      // A merge makes the other household's account holder a member here.
      const { token: member, householdId: otherId } = await enrol();
      await http()
        .post(`/v1/support/households/${householdId}/merges`)
        .set(bearer(support))
        .send({ sourceHouseholdId: otherId, reason: 'Same family, two accounts' })
        .expect(201);
      const refused = await http()
        .put('/v1/me/demographics')
        .set(bearer(member))
        .send(none)
        .expect(403);
      expect(refused.body.code).toBe('NOT_ACCOUNT_HOLDER');
      expect((await http().get('/v1/me').set(bearer(token)).expect(200)).body.demographics).toEqual(
        declared,
      );
    });

    it.each([
      [{ ageBand: '30-39', householdSize: 2, incomeBand: null }, 'ageBand'],
      [{ ageBand: null, householdSize: 0, incomeBand: null }, 'householdSize'],
      [{ ageBand: null, householdSize: 10, incomeBand: null }, 'householdSize'],
      [{ ageBand: null, householdSize: 2.5, incomeBand: null }, 'householdSize'],
      [{ ageBand: null, householdSize: '2', incomeBand: null }, 'householdSize'],
      [{ ageBand: null, householdSize: 2 }, 'incomeBand'],
      [{ ageBand: null, householdSize: 2, incomeBand: '40000' }, 'incomeBand'],
      [{ ageBand: null, householdSize: 2, incomeBand: null, religion: 'none' }, 'religion'],
    ])('refuses %j (400 naming %s), changing nothing', async (body, field) => {
      const { token, householdId } = await enrol();
      const response = await http()
        .put('/v1/me/demographics')
        .set(bearer(token))
        .send(body)
        .expect(400);
      expect(response.body.errors[0].field).toBe(field);
      expect(await count(`loyalty.households WHERE id = $1 AND version = 1`, [householdId])).toBe(
        1,
      );
    });
  });

  describe('self service', () => {
    it('shows the tier from the profile and the transactions newest first, page by page', async () => {
      const { token, householdId } = await enrol();
      await db.query(`INSERT INTO ingest.shoppers (id, registered) VALUES ($1, true)`, [
        householdId,
      ]);
      await db.query(
        `INSERT INTO ingest.shopper_profiles (shopper_id, lifetime_spend_cents, visits, spend_by_department_cents, points_balance, tier, tier_since, spend_52w_cents)
         VALUES ($1, 123400, 3, '{}', 0, 'silver', '2026-06-01', 100000)`,
        [householdId],
      );
      for (let i = 0; i < 5; i++) {
        await db.query(
          `INSERT INTO ingest.transactions (pos_transaction_id, store_id, terminal_id, cashier_id, business_date, type,
             shopper_id, occurred_at, utc_offset, total_cents, lines, tenders, applied_offers, received_at)
           VALUES ($1, 'store-1', 'lane-1', 'c-1', '2026-11-0${i + 1}', 'sale', $2, $3, '+00:00', 250,
             '[{"sku":"milk","department":"DAIRY","quantity":1,"unitPriceCents":250,"amountCents":250}]', '[]', '[]', now())`,
          [`tx-${randomUUID()}`, householdId, `2026-11-0${i + 1}T10:00:00Z`],
        );
      }
      const me = (await http().get('/v1/me').set(bearer(token)).expect(200)).body;
      expect(me.tier).toEqual({
        tier: 'silver',
        tierSince: '2026-06-01',
        lifetimeSpendCents: 123400,
        spend52wCents: 100000,
      });
      const first = (await http().get('/v1/me/transactions?limit=2').set(bearer(token)).expect(200))
        .body;
      expect(first.items.map((t: { businessDate: string }) => t.businessDate)).toEqual([
        '2026-11-05',
        '2026-11-04',
      ]);
      expect(first.items[0].lines[0]).toMatchObject({ sku: 'milk', amountCents: 250 });
      const second = (
        await http()
          .get(`/v1/me/transactions?limit=2&cursor=${first.nextCursor}`)
          .set(bearer(token))
          .expect(200)
      ).body;
      expect(second.items.map((t: { businessDate: string }) => t.businessDate)).toEqual([
        '2026-11-03',
        '2026-11-02',
      ]);
      const last = (
        await http()
          .get(`/v1/me/transactions?limit=2&cursor=${second.nextCursor}`)
          .set(bearer(token))
          .expect(200)
      ).body;
      expect(last).toMatchObject({ items: [{ businessDate: '2026-11-01' }], nextCursor: null });
      const forged = Buffer.from(
        JSON.stringify(['2026-02-31T00:00:00.000Z', randomUUID()]),
      ).toString('base64url');
      for (const query of [
        'limit=0',
        'limit=101',
        'limit=x',
        'cursor=!!',
        'cursor=AAAA',
        `cursor=${forged}`,
        'other=1',
        `householdId=${randomUUID()}`,
      ]) {
        await http().get(`/v1/me/transactions?${query}`).set(bearer(token)).expect(400);
      }
    });

    it('changes details: phone normalised, an email of another household 409, a bad phone 400', async () => {
      const { token } = await enrol();
      const taken = await enrol();
      const changed = await http()
        .patch('/v1/me')
        .set(bearer(token))
        .send({ phone: '+1 212 555 0123', preferredLanguage: 'es-419', homeStoreId: 'store-9' })
        .expect(200);
      expect(changed.body.identity).toMatchObject({
        phone: '+12125550123',
        preferredLanguage: 'es-419',
        homeStoreId: 'store-9',
      });
      expect(changed.body.version).toBe(2);
      const conflict = await http()
        .patch('/v1/me')
        .set(bearer(token))
        .send({ email: taken.household.identity.email })
        .expect(409);
      expect(conflict.body.code).toBe('EMAIL_ALREADY_REGISTERED');
      const bad = await http()
        .patch('/v1/me')
        .set(bearer(token))
        .send({ phone: '000' })
        .expect(400);
      expect(bad.body.errors[0].field).toBe('phone');
      const me = (await http().get('/v1/me').set(bearer(token)).expect(200)).body;
      expect(me.identity.phone).toBe('+12125550123');
      expect(me.version).toBe(2);
    });

    it('answers 404 NOT_ENROLLED to a shopper without a household', async () => {
      const response = await http().get('/v1/me').set(bearer(newShopper())).expect(404);
      expect(response.body.code).toBe('NOT_ENROLLED');
    });
  });

  describe('support and marketing reads', () => {
    it('finds a household by card, phone or email with a reason, masks cards, and audits each read', async () => {
      const body = enrolment({
        phone: `+1 (212) ${randomInt(200, 1_000)}-${randomInt(1_000, 10_000)}`,
      });
      const { household, householdId } = await enrol(newShopper(), body);
      const cardNumber: string = household.cards[0].cardNumber;
      const reason = 'Customer on the phone about points';
      for (const query of [
        { card: cardNumber },
        { phone: body.phone },
        { email: ` ${(body.email as string).toUpperCase()} ` },
      ]) {
        const response = await http()
          .get('/v1/support/households')
          .query({ ...query, reason })
          .set(bearer(support))
          .expect(200);
        const found = response.body.households.find(
          (h: { householdId: string }) => h.householdId === householdId,
        );
        expect(found.cards[0].cardNumber).toBe(`****${cardNumber.slice(-4)}`);
        expect(JSON.stringify(response.body)).not.toContain(cardNumber);
        expect(found.identity.givenName).toBe('Ann');
      }
      await http()
        .get(`/v1/support/households/${householdId}`)
        .query({ reason })
        .set(bearer(support))
        .expect(200);
      const audit = await db.query(
        `SELECT actor, details FROM loyalty.audit_log WHERE entity_id = $1 AND action = 'household.identity-read'`,
        [householdId],
      );
      expect(audit).toHaveLength(4);
      expect(audit[0]).toMatchObject({ actor: 'agent-7', details: { reason } });
      expect(JSON.stringify(audit)).not.toContain(cardNumber);
    });

    it.each([
      ['no reason', { email: 'a@b.co' }, 'reason'],
      ['no key', { reason: 'Looking' }, 'card'],
      ['two keys', { email: 'a@b.co', phone: '07911123456', reason: 'Looking' }, 'card'],
      ['a bad card', { card: '123', reason: 'Looking' }, 'card'],
      ['a bad phone', { phone: '12', reason: 'Looking' }, 'phone'],
    ])('refuses a lookup with %s (400 naming %s)', async (_name, query, field) => {
      const response = await http()
        .get('/v1/support/households')
        .query(query)
        .set(bearer(support))
        .expect(400);
      expect(JSON.stringify(response.body.errors)).toContain(field);
    });

    it('shows marketing facts without identity or card numbers, behaviour only with consent to profiling', async () => {
      const { token, household, householdId } = await enrol();
      const marketer = tokenFor('marketer');
      const facts = (
        await http().get(`/v1/households/${householdId}/facts`).set(bearer(marketer)).expect(200)
      ).body;
      expect(facts).toMatchObject({
        householdId,
        registered: true,
        cards: 1,
        members: 1,
        profile: null,
      });
      const text = JSON.stringify(facts);
      for (const secret of ['Ann', 'Lee', household.identity.email, household.cards[0].cardNumber])
        expect(text).not.toContain(secret);
      await http().get(`/v1/households/${randomUUID()}/facts`).set(bearer(marketer)).expect(404);
      expect(token).toBeDefined();
    });
  });

  describe('who may call what', () => {
    const anId = randomUUID();
    const aCard = '9800000000009061';
    const routes: [string, string, object | undefined][] = [
      ['post', '/v1/me/enrolment', {}],
      ['get', '/v1/me', undefined],
      ['patch', '/v1/me', {}],
      ['get', '/v1/me/transactions', undefined],
      ['post', '/v1/me/members', {}],
      ['post', '/v1/me/cards', {}],
      ['post', `/v1/me/cards/${aCard}/lost`, undefined],
      ['get', '/v1/me/consent', undefined],
      ['put', '/v1/me/consent', {}],
      ['get', '/v1/me/export', undefined],
      ['delete', '/v1/me', undefined],
      ['post', '/v1/support/households', {}],
      ['get', '/v1/support/households', undefined],
      ['get', `/v1/support/households/${anId}`, undefined],
      ['put', `/v1/support/households/${anId}/consent`, {}],
      ['post', `/v1/support/households/${anId}/cards/${aCard}/lost`, {}],
      ['post', `/v1/support/households/${anId}/cards/${aCard}/block`, {}],
      ['post', `/v1/support/households/${anId}/cards/${aCard}/replacement`, {}],
      ['post', `/v1/support/households/${anId}/merges`, {}],
      ['get', `/v1/support/households/${anId}/export`, undefined],
      ['post', `/v1/support/households/${anId}/erasure`, {}],
      ['get', `/v1/households/${anId}/facts`, undefined],
    ];
    const allowed = (path: string): string[] =>
      path.startsWith('/v1/me')
        ? ['shopper']
        : path.startsWith('/v1/support')
          ? ['support', 'admin']
          : ['marketer', 'admin'];
    const callers = ['shopper', 'support', 'admin', 'marketer', 'terminal', 'none'] as const;

    it.each(routes)(
      '%s %s: the shopper, support or marketing as the route says; nobody else',
      async (method, path, body) => {
        const outcomes: Record<string, number> = {};
        const expected: Record<string, string> = {};
        for (const caller of callers) {
          let req = (http() as unknown as Record<string, (p: string) => request.Test>)[method](
            path,
          );
          if (caller === 'terminal') req = req.set('X-Api-Key', terminalKey);
          else if (caller !== 'none')
            req = req.set(bearer(tokenFor(caller, `${caller}-${randomUUID()}`)));
          const response = await (body ? req.send(body) : req);
          outcomes[caller] = response.status;
          expected[caller] =
            // A terminal key is no credential on a route for people.
            caller === 'none' || caller === 'terminal'
              ? '401'
              : allowed(path).includes(caller)
                ? 'allowed'
                : '403';
        }
        const seen = Object.fromEntries(
          Object.entries(outcomes).map(([caller, status]) => [
            caller,
            status === 401 || status === 403 ? String(status) : 'allowed',
          ]),
        );
        expect(seen).toEqual(expected);
        // Allowed callers got an answer about their input or the record, never a server error.
        expect(Object.values(outcomes).every((s) => s < 500)).toBe(true);
      },
    );
  });
});
