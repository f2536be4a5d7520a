import {
  PointsEarnedV1,
  TOPICS,
  deadLetterTopic,
  householdIdForCard,
  pointsToExpire,
  expiryCutoff,
  erasureHash,
} from '@loyalty/domain';
import { createHttpApp, loadConfig } from '@loyalty/platform';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { LoyaltyApiConfig } from '../src/config';
import { pointsEventGroup } from '../src/points/points-earned.consumer';
import { createTerminal, eventually, openDatabase, tokenFor } from '../../../test/support/apps';
import { makeCardNumber } from '../../../test/support/factories';
import { findMessage, produce, startGroupAtEnd, waitForDrain } from '../../../test/support/kafka';

const DAY_MS = 86_400_000;

describe('loyalty-api keeps the points ledger', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let apiKey: string;
  const prefix = `loyalty-api.test-${randomUUID()}`;
  const { groupId } = pointsEventGroup(prefix);

  beforeAll(async () => {
    db = await openDatabase();
    // Its own group, reading only what is produced from now on, so a test can wait for it.
    await startGroupAtEnd(groupId, TOPICS.pointsEarned);
    const config = loadConfig(LoyaltyApiConfig, {
      ...process.env,
      PORT: '0',
      LOYALTY_API_GROUP_PREFIX: prefix,
      LOYALTY_API_SESSION_TIMEOUT_MS: '6000',
      SUPPORT_GOODWILL_POINTS_PER_DAY: '500',
      ADMIN_GOODWILL_POINTS_PER_DAY: '5000',
    });
    app = await createHttpApp(AppModule.register(config), {
      title: 'loyalty-api',
      description: '',
    });
    apiKey = await createTerminal(db, 'store-77', 'lane-1');
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const http = () => request(app.getHttpServer());
  const bearer = (role: Parameters<typeof tokenFor>[0], subject?: string) => ({
    Authorization: `Bearer ${tokenFor(role, subject)}`,
  });

  function earned(cardNumber: string, overrides: Partial<PointsEarnedV1> = {}): PointsEarnedV1 {
    return {
      cause: `store-77:tx-${randomUUID()}`,
      householdId: householdIdForCard(cardNumber),
      cardNumber,
      kind: 'earn',
      points: 120,
      occurredAt: '2026-11-20T17:42:10-05:00',
      ...overrides,
    };
  }

  const publish = (...events: PointsEarnedV1[]) =>
    produce(
      TOPICS.pointsEarned,
      events.map((e) => ({ key: e.householdId, value: JSON.stringify(e) })),
    );

  const ledgerOf = (householdId: string) =>
    db.query(
      `SELECT kind, points::int AS points, source_type, source_id, occurred_at
         FROM loyalty.points_ledger WHERE household_id = $1 ORDER BY id`,
      [householdId],
    ) as Promise<
      { kind: string; points: number; source_type: string; source_id: string; occurred_at: Date }[]
    >;

  const balanceOf = async (householdId: string): Promise<number | null> => {
    const [row] = await db.query(
      `SELECT balance::int AS balance FROM loyalty.points_accounts WHERE household_id = $1`,
      [householdId],
    );
    return row ? row.balance : null;
  };

  async function seedHousehold(options: { erased?: boolean } = {}): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO loyalty.households (id, registered, erased_at) VALUES ($1, true, $2)`,
      [id, options.erased ? new Date('2026-10-01T00:00:00Z') : null],
    );
    return id;
  }

  async function registerCard(householdId: string, cardNumber = makeCardNumber()): Promise<string> {
    await db.query(`INSERT INTO loyalty.cards (card_number, household_id) VALUES ($1, $2)`, [
      cardNumber,
      householdId,
    ]);
    return cardNumber;
  }

  /** Entries as other causes would have booked them, with the balance they cache. */
  async function seedEntries(
    householdId: string,
    entries: { points: number; occurredAt: string; kind?: string }[],
  ): Promise<void> {
    for (const e of entries)
      await db.query(
        `INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at)
         VALUES ($1, $2, $3, 'seed', $4, $5)`,
        [
          householdId,
          e.kind ?? (e.points > 0 ? 'earn' : 'redeem'),
          e.points,
          randomUUID(),
          e.occurredAt,
        ],
      );
    await db.query(
      `INSERT INTO loyalty.points_accounts (household_id, balance) VALUES ($1, $2)
       ON CONFLICT (household_id) DO UPDATE SET balance = loyalty.points_accounts.balance + $2`,
      [householdId, entries.reduce((total, e) => total + e.points, 0)],
    );
  }

  describe('booking points-earned events', () => {
    it('books an unknown card on the household derived from it, and a redelivery once', async () => {
      const card = makeCardNumber();
      const household = householdIdForCard(card);
      const sale = earned(card, { points: 120 });
      const ret = earned(card, { kind: 'reverse', points: -20 });
      await publish(sale, sale, ret);
      await waitForDrain(groupId, TOPICS.pointsEarned);
      await publish(sale, ret);
      await waitForDrain(groupId, TOPICS.pointsEarned);
      expect(await ledgerOf(household)).toEqual([
        expect.objectContaining({
          kind: 'earn',
          points: 120,
          source_type: 'transaction',
          source_id: sale.cause,
        }),
        expect.objectContaining({ kind: 'reverse', points: -20, source_id: ret.cause }),
      ]);
      expect(await balanceOf(household)).toBe(100);
      // The points expire counted from the sale's time, whatever offset the POS sent.
      expect((await ledgerOf(household))[0].occurred_at.toISOString()).toBe(
        '2026-11-20T22:42:10.000Z',
      );
      const [record] = await db.query(`SELECT registered FROM loyalty.households WHERE id = $1`, [
        household,
      ]);
      expect(record).toEqual({ registered: false });
    });

    it('books a registered card on its household, whatever household pos-ingest named', async () => {
      const household = await seedHousehold();
      const card = await registerCard(household);
      await publish(earned(card, { points: 75 }));
      await eventually(async () => (await balanceOf(household)) === 75);
      expect(await ledgerOf(householdIdForCard(card))).toEqual([]);
    });

    it('books nothing for an erased household', async () => {
      const erased = await seedHousehold({ erased: true });
      const card = await registerCard(erased);
      await publish(earned(card, { points: 40 }));
      await waitForDrain(groupId, TOPICS.pointsEarned);
      expect(await ledgerOf(erased)).toEqual([]);
      expect(await balanceOf(erased)).toBeNull();
    });

    it('books nothing for a card an erased household held, now unregistered', async () => {
      const erased = await seedHousehold({ erased: true });
      const card = makeCardNumber();
      const key = process.env.ERASURE_HASH_KEY ?? (process.env.JWT_SECRET as string);
      await db.query(
        `INSERT INTO loyalty.erased_cards (card_hash, household_id, erased_at) VALUES ($1, $2, now())`,
        [erasureHash(key, card), erased],
      );
      await publish(earned(card, { points: 40 }));
      await waitForDrain(groupId, TOPICS.pointsEarned);
      expect(await ledgerOf(householdIdForCard(card))).toEqual([]);
      const households = await db.query(`SELECT id FROM loyalty.households WHERE id = $1`, [
        householdIdForCard(card),
      ]);
      expect(households).toEqual([]);
    });

    it('books a batch of many cards and causes in one go', async () => {
      const cards = Array.from({ length: 30 }, () => makeCardNumber());
      const events = cards.flatMap((card) => [
        earned(card, { points: 10 }),
        earned(card, { points: 5 }),
      ]);
      await publish(...events, ...events);
      await waitForDrain(groupId, TOPICS.pointsEarned);
      for (const card of cards) expect(await balanceOf(householdIdForCard(card))).toBe(15);
    });

    it.each([
      ['an earn of negative points', { points: -5 }],
      ['a reverse of positive points', { kind: 'reverse' as const, points: 5 }],
      ['a card number failing its check digit', { cardNumber: '9800000000000001' }],
      ['a time without offset', { occurredAt: '2026-11-20T17:42:10' }],
      ['fractional points', { points: 1.5 }],
    ])('dead-letters %s and keeps booking', async (_name, poison) => {
      const card = makeCardNumber();
      const bad = { ...earned(card), ...poison };
      const good = earned(card, { points: 9 });
      await publish(bad as PointsEarnedV1, good);
      await eventually(async () => (await balanceOf(householdIdForCard(card))) === 9);
      const dead = await findMessage(
        deadLetterTopic(TOPICS.pointsEarned),
        (m) => m.value?.toString() === JSON.stringify(bad),
      );
      expect(dead.headers?.['dlq-reason']?.toString()).toBeTruthy();
    });
  });

  describe('goodwill adjustments', () => {
    const adjust = (householdId: string, body: object, token = bearer('support', 'agent-1')) =>
      http().post(`/v1/support/households/${householdId}/points-adjustments`).set(token).send(body);
    const auditOf = (householdId: string) =>
      db.query(
        `SELECT actor, action, details FROM loyalty.audit_log WHERE entity_id = $1 ORDER BY id`,
        [householdId],
      );

    it('gives points, audited with the agent and reason; a retry gets the original answer', async () => {
      const household = await seedHousehold();
      const agent = `agent-${randomUUID()}`;
      const body = { adjustmentId: randomUUID(), points: 200, reason: 'Missed receipt of 3 May' };
      const first = await adjust(household, body, bearer('support', agent)).expect(201);
      expect(first.body).toEqual({
        adjustmentId: body.adjustmentId,
        householdId: household,
        points: 200,
        reason: body.reason,
        agent,
        occurredAt: expect.any(String),
      });
      const retry = await adjust(household, body, bearer('support', agent)).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(await balanceOf(household)).toBe(200);
      expect(await auditOf(household)).toEqual([
        {
          actor: agent,
          action: 'points.adjust',
          details: expect.objectContaining({ points: 200, reason: body.reason }),
        },
      ]);
      const [entry] = await ledgerOf(household);
      expect(entry).toMatchObject({
        kind: 'adjust',
        source_type: 'adjustment',
        source_id: body.adjustmentId,
      });
    });

    it('answers concurrent identical retries alike and books once', async () => {
      const household = await seedHousehold();
      const agent = `agent-${randomUUID()}`;
      const body = { adjustmentId: randomUUID(), points: 50, reason: 'Broken eggs' };
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => adjust(household, body, bearer('support', agent))),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
      expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
      expect(await balanceOf(household)).toBe(50);
      expect(await auditOf(household)).toHaveLength(1);
    });

    it('refuses the same adjustment id with another body (409), changing nothing', async () => {
      const household = await seedHousehold();
      const agent = `agent-${randomUUID()}`;
      const body = { adjustmentId: randomUUID(), points: 30, reason: 'Late delivery' };
      await adjust(household, body, bearer('support', agent)).expect(201);
      const reused = await adjust(
        household,
        { ...body, points: 31 },
        bearer('support', agent),
      ).expect(409);
      expect(reused.body).toMatchObject({ code: 'POINTS_CAUSE_REUSED', field: 'adjustmentId' });
      expect(await balanceOf(household)).toBe(30);
    });

    it("holds each support agent to the daily limit, naming what remains; an admin's is higher", async () => {
      const household = await seedHousehold();
      const agent = `agent-${randomUUID()}`;
      const give = (points: number, token = bearer('support', agent)) =>
        adjust(household, { adjustmentId: randomUUID(), points, reason: 'Goodwill' }, token);
      await give(300).expect(201);
      const over = await give(201).expect(422);
      expect(over.body).toMatchObject({ code: 'GOODWILL_LIMIT_EXCEEDED', field: 'points' });
      expect(over.body.message).toContain('200 of 500');
      // Taking back is no goodwill: it does not use up the limit.
      await give(-100).expect(201);
      await give(200).expect(201);
      await give(1).expect(422);
      // Another agent has a limit of their own; an admin a higher one.
      await give(500, bearer('support', `agent-${randomUUID()}`)).expect(201);
      await give(2_000, bearer('admin', `admin-${randomUUID()}`)).expect(201);
      expect(await balanceOf(household)).toBe(300 - 100 + 200 + 500 + 2_000);
    });

    it('lets no two concurrent adjustments of one agent pass the limit together', async () => {
      const household = await seedHousehold();
      const agent = `agent-${randomUUID()}`;
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          adjust(
            household,
            { adjustmentId: randomUUID(), points: 200, reason: 'Goodwill' },
            bearer('support', agent),
          ),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 422, 422, 422, 422]);
      expect(await balanceOf(household)).toBe(400);
    });

    it('never takes the balance below 0 (422), and changes nothing then', async () => {
      const household = await seedHousehold();
      await seedEntries(household, [{ points: 80, occurredAt: '2026-10-01T10:00:00Z' }]);
      const refused = await adjust(household, {
        adjustmentId: randomUUID(),
        points: -81,
        reason: 'Duplicate booking',
      }).expect(422);
      expect(refused.body).toMatchObject({ code: 'INSUFFICIENT_POINTS', field: 'points' });
      await adjust(household, {
        adjustmentId: randomUUID(),
        points: -80,
        reason: 'Duplicate',
      }).expect(201);
      expect(await balanceOf(household)).toBe(0);
    });

    it('answers 404 for an unknown household and 422 for an erased one', async () => {
      const body = () => ({ adjustmentId: randomUUID(), points: 5, reason: 'Goodwill' });
      const unknown = await adjust(randomUUID(), body()).expect(404);
      expect(unknown.body).toMatchObject({ code: 'HOUSEHOLD_NOT_FOUND', field: 'id' });
      const erased = await seedHousehold({ erased: true });
      const closed = await adjust(erased, body()).expect(422);
      expect(closed.body).toMatchObject({ code: 'HOUSEHOLD_CLOSED' });
      expect(await ledgerOf(erased)).toEqual([]);
    });

    const valid = () => ({ adjustmentId: randomUUID(), points: 5, reason: 'Goodwill' });
    it.each<[string, (body: Record<string, unknown>) => unknown, string]>([
      ['no adjustment id', ({ adjustmentId: _, ...rest }) => rest, 'adjustmentId'],
      ['an adjustment id that is no UUID', (b) => ({ ...b, adjustmentId: 'x' }), 'adjustmentId'],
      ['no points', ({ points: _, ...rest }) => rest, 'points'],
      ['0 points', (b) => ({ ...b, points: 0 }), 'points'],
      ['fractional points', (b) => ({ ...b, points: 2.5 }), 'points'],
      ['points as text', (b) => ({ ...b, points: '5' }), 'points'],
      ['too many points', (b) => ({ ...b, points: 1_000_001 }), 'points'],
      ['no reason', ({ reason: _, ...rest }) => rest, 'reason'],
      ['a blank reason', (b) => ({ ...b, reason: '     ' }), 'reason'],
      ['a reason with a control character', (b) => ({ ...b, reason: 'a\u0000bc' }), 'reason'],
      ['a reason too long', (b) => ({ ...b, reason: 'x'.repeat(501) }), 'reason'],
      ['an unknown field', (b) => ({ ...b, agent: 'someone-else' }), 'agent'],
    ])('refuses %s with 400 naming the field, storing nothing', async (_name, change, field) => {
      const household = await seedHousehold();
      const response = await adjust(household, change(valid()) as object).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await ledgerOf(household)).toEqual([]);
      expect(await auditOf(household)).toEqual([]);
    });

    it('refuses a household id that is no UUID with 400 naming it', async () => {
      const response = await adjust('not-a-uuid', valid()).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['id']);
    });
  });

  describe('statements', () => {
    async function enrolledShopper(): Promise<{ householdId: string; subject: string }> {
      const householdId = await seedHousehold();
      const subject = `shopper-${randomUUID()}`;
      await db.query(
        `INSERT INTO loyalty.shoppers (id, household_id, account_holder, subject) VALUES ($1, $2, true, $3)`,
        [randomUUID(), householdId, subject],
      );
      return { householdId, subject };
    }

    it("shows the shopper their household's balance and entries, newest first, page by page", async () => {
      const { householdId, subject } = await enrolledShopper();
      await seedEntries(
        householdId,
        [1, 2, 3, 4, 5].map((n) => ({ points: n, occurredAt: `2026-10-0${n}T10:00:00Z` })),
      );
      const token = bearer('shopper', subject);
      const first = await http().get('/v1/me/points?limit=2').set(token).expect(200);
      expect(first.body).toMatchObject({ householdId, balance: 15 });
      expect(first.body.entries.map((e: { points: number }) => e.points)).toEqual([5, 4]);
      expect(Object.keys(first.body.entries[0]).sort()).toEqual(
        ['id', 'kind', 'occurredAt', 'points', 'recordedAt'].sort(),
      );
      const second = await http()
        .get(`/v1/me/points?limit=2&before=${first.body.nextCursor}`)
        .set(token)
        .expect(200);
      expect(second.body.entries.map((e: { points: number }) => e.points)).toEqual([3, 2]);
      const last = await http()
        .get(`/v1/me/points?limit=2&before=${second.body.nextCursor}`)
        .set(token)
        .expect(200);
      expect(last.body.entries.map((e: { points: number }) => e.points)).toEqual([1]);
      expect(last.body.nextCursor).toBeNull();
    });

    it('answers 404 NOT_ENROLLED to a shopper with no household', async () => {
      const response = await http()
        .get('/v1/me/points')
        .set(bearer('shopper', `shopper-${randomUUID()}`))
        .expect(404);
      expect(response.body.code).toBe('NOT_ENROLLED');
    });

    it('shows support the causes, agents and reasons', async () => {
      const household = await seedHousehold();
      await http()
        .post(`/v1/support/households/${household}/points-adjustments`)
        .set(bearer('support', 'agent-statement'))
        .send({ adjustmentId: randomUUID(), points: 7, reason: 'Sorry about the queue' })
        .expect(201);
      const response = await http()
        .get(`/v1/support/households/${household}/points`)
        .set(bearer('support'))
        .expect(200);
      expect(response.body).toMatchObject({
        householdId: household,
        balance: 7,
        entries: [
          {
            kind: 'adjust',
            points: 7,
            sourceType: 'adjustment',
            agent: 'agent-statement',
            reason: 'Sorry about the queue',
          },
        ],
        nextCursor: null,
      });
      await http()
        .get(`/v1/support/households/${randomUUID()}/points`)
        .set(bearer('support'))
        .expect(404);
    });

    it.each([
      ['/v1/me/points?limit=0', 'limit'],
      ['/v1/me/points?limit=101', 'limit'],
      ['/v1/me/points?limit=abc', 'limit'],
      ['/v1/me/points?before=-1', 'before'],
      ['/v1/me/points?before=99999999999999999999', 'before'],
      ['/v1/me/points?page=2', 'page'],
    ])('refuses %s with 400 naming %s', async (path, field) => {
      const response = await http().get(path).set(bearer('shopper')).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    });
  });

  describe('the finance liability', () => {
    it('values the outstanding points and counts those due to expire within 30 and 90 days', async () => {
      const now = Date.now();
      const months = 24;
      const ago = (days: number) =>
        new Date(expiryCutoff(new Date(now), months).getTime() + days * DAY_MS).toISOString();
      const household = await seedHousehold();
      await seedEntries(household, [
        { points: 100, occurredAt: ago(10) },
        { points: 50, occurredAt: ago(60) },
        { points: 25, occurredAt: ago(200) },
        { points: -30, occurredAt: ago(300) },
      ]);
      // The ledger is shared with other tests: compare with the domain's rule over all of it.
      const expected = async () => {
        const rows: { household_id: string; points: string; occurred_at: Date }[] = await db.query(
          `SELECT household_id, points, occurred_at FROM loyalty.points_ledger`,
        );
        const byHousehold = new Map<string, { points: number; occurredAt: Date }[]>();
        for (const r of rows)
          byHousehold.set(r.household_id, [
            ...(byHousehold.get(r.household_id) ?? []),
            { points: Number(r.points), occurredAt: r.occurred_at },
          ]);
        const within = (days: number) =>
          [...byHousehold.values()].reduce(
            (total, entries) =>
              total +
              pointsToExpire(entries, expiryCutoff(new Date(Date.now() + days * DAY_MS), months)),
            0,
          );
        const [{ outstanding }] = await db.query(
          `SELECT coalesce(sum(greatest(balance, 0)), 0)::bigint AS outstanding FROM loyalty.points_accounts`,
        );
        return {
          outstandingPoints: Number(outstanding),
          outstandingValueCents: Number(outstanding),
          centsPer100Points: 100,
          expiringWithin30Days: within(30),
          expiringWithin90Days: within(90),
        };
      };
      await eventually(async () => {
        const answer = await http()
          .get('/v1/finance/points-liability')
          .set(bearer('finance'))
          .expect(200);
        const { asOf: _, ...figures } = answer.body;
        return JSON.stringify(figures) === JSON.stringify(await expected());
      });
      // This household alone: 100 (10 days) and then 50 (60 days), less the 30 debited first.
      const mine = [
        { points: 100, occurredAt: new Date(ago(10)) },
        { points: 50, occurredAt: new Date(ago(60)) },
        { points: 25, occurredAt: new Date(ago(200)) },
        { points: -30, occurredAt: new Date(ago(300)) },
      ];
      expect(pointsToExpire(mine, expiryCutoff(new Date(now + 30 * DAY_MS), months))).toBe(70);
      expect(pointsToExpire(mine, expiryCutoff(new Date(now + 90 * DAY_MS), months))).toBe(120);
    });
  });

  describe('who may call what', () => {
    type Caller = 'shopper' | 'support' | 'marketer' | 'finance' | 'admin' | 'terminal' | 'nobody';
    const callers: Caller[] = [
      'shopper',
      'support',
      'marketer',
      'finance',
      'admin',
      'terminal',
      'nobody',
    ];
    let household: string;
    let shopperSubject: string;

    beforeAll(async () => {
      household = await seedHousehold();
      shopperSubject = `shopper-${randomUUID()}`;
      await db.query(
        `INSERT INTO loyalty.shoppers (id, household_id, account_holder, subject) VALUES ($1, $2, true, $3)`,
        [randomUUID(), household, shopperSubject],
      );
    });

    const headersFor = (caller: Caller): Record<string, string> => {
      switch (caller) {
        case 'terminal':
          return { 'X-Api-Key': apiKey };
        case 'nobody':
          return {};
        case 'shopper':
          return bearer('shopper', shopperSubject);
        default:
          return bearer(caller, `${caller}-${randomUUID()}`);
      }
    };

    const routes: [string, (headers: Record<string, string>) => request.Test, Caller[], number][] =
      [
        ['GET /v1/me/points', (h) => http().get('/v1/me/points').set(h), ['shopper'], 200],
        [
          'GET /v1/support/households/{id}/points',
          (h) => http().get(`/v1/support/households/${household}/points`).set(h),
          ['support', 'admin'],
          200,
        ],
        [
          'POST /v1/support/households/{id}/points-adjustments',
          (h) =>
            http()
              .post(`/v1/support/households/${household}/points-adjustments`)
              .set(h)
              .send({ adjustmentId: randomUUID(), points: 1, reason: 'Goodwill' }),
          ['support', 'admin'],
          201,
        ],
        [
          'GET /v1/finance/points-liability',
          (h) => http().get('/v1/finance/points-liability').set(h),
          ['finance', 'admin'],
          200,
        ],
      ];

    it.each(routes)('%s', async (_route, call, allowed, success) => {
      const statuses = Object.fromEntries(
        await Promise.all(
          callers.map(async (caller) => [caller, (await call(headersFor(caller))).status] as const),
        ),
      );
      expect(statuses).toEqual(
        Object.fromEntries(
          callers.map((caller) => [
            caller,
            allowed.includes(caller)
              ? success
              : caller === 'terminal' || caller === 'nobody'
                ? 401
                : 403,
          ]),
        ),
      );
    });
  });
});
