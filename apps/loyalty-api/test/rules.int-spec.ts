import { JwtService } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RuleChangedV1, TOPICS } from '@loyalty/domain';
import { JWT_ISSUER } from '@loyalty/platform';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  createTerminal,
  openDatabase,
  startLoyaltyApi,
  tokenFor,
} from '../../../test/support/apps';
import { makeDepartment, makeRule } from '../../../test/support/factories';
import { readUntil } from '../../../test/support/kafka';

describe('loyalty-api coupon rules', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  const marketer = tokenFor('marketer', 'alice');

  beforeAll(async () => {
    db = await openDatabase();
    app = await startLoyaltyApi();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const createRule = (body: unknown, token: string | null = marketer) => {
    const req = request(app.getHttpServer()).post('/v1/rules');
    return (token ? req.set('Authorization', `Bearer ${token}`) : req).send(body as object);
  };

  const rulesBy = async (author: string) => {
    const [counts] = await db.query(
      `SELECT (SELECT count(*)::int FROM loyalty.coupon_rules WHERE created_by = $1) AS rules,
              (SELECT count(*)::int FROM loyalty.audit_log WHERE actor = $1) AS audited`,
      [author],
    );
    return counts as { rules: number; audited: number };
  };

  const rulesNamed = async (name: string) =>
    db.query(`SELECT * FROM loyalty.coupon_rules WHERE name = $1`, [name]) as Promise<unknown[]>;

  it('creates a rule, returns it and audits who did it', async () => {
    const department = makeDepartment();
    const body = makeRule(department, {
      reward: { kind: 'amountOff', amountCents: 150, target: { scope: 'basket' } },
      perShopperLimit: 2,
    });
    const response = await createRule(body).expect(201);
    expect(response.body).toMatchObject({
      name: body.name,
      status: 'active',
      audience: [{ fact: 'departmentSpendCents', department, atLeast: 500 }],
      reward: { kind: 'amountOff', amountCents: 150, target: { scope: 'basket' } },
      validFrom: '2026-01-01T00:00:00.000Z',
      offerValidDays: 14,
      perShopperLimit: 2,
      createdBy: 'alice',
    });
    const [audit] = await db.query(`SELECT * FROM loyalty.audit_log WHERE entity_id = $1`, [
      response.body.id,
    ]);
    expect(audit).toMatchObject({ actor: 'alice', action: 'rule.created', entity: 'coupon_rule' });

    const fetched = await request(app.getHttpServer())
      .get(`/v1/rules/${response.body.id}`)
      .set('Authorization', `Bearer ${marketer}`)
      .expect(200);
    expect(fetched.body).toEqual(response.body);
  });

  /** The rule-changed events of rule `id` on the topic, up to the one with `version`. */
  async function changesOf(id: string, version: number): Promise<RuleChangedV1[]> {
    const read = await readUntil(TOPICS.ruleChanged, (m) => {
      const event = JSON.parse(m.value!.toString()) as RuleChangedV1;
      return m.key?.toString() === id && event.version === version;
    });
    return read
      .filter((m) => m.key?.toString() === id)
      .map((m) => JSON.parse(m.value!.toString()) as RuleChangedV1);
  }

  const as = (token: string) => ({
    put: (path: string, body: object) =>
      request(app.getHttpServer()).put(path).set('Authorization', `Bearer ${token}`).send(body),
    patch: (path: string, body: object) =>
      request(app.getHttpServer()).patch(path).set('Authorization', `Bearer ${token}`).send(body),
  });

  it('publishes every change of a rule, whole and versioned, for coupon-engine', async () => {
    const department = makeDepartment();
    const created = await createRule(makeRule(department)).expect(201);
    const { id } = created.body;
    expect(created.body).toMatchObject({ version: 1 });

    const updated = await as(marketer)
      .put(
        `/v1/rules/${id}`,
        makeRule(department, { name: `Renamed ${department}`, offerValidDays: 7 }),
      )
      .expect(200);
    expect(updated.body).toMatchObject({
      id,
      name: `Renamed ${department}`,
      offerValidDays: 7,
      version: 2,
    });

    const paused = await as(marketer)
      .patch(`/v1/rules/${id}/status`, { status: 'paused' })
      .expect(200);
    expect(paused.body).toMatchObject({ status: 'paused', version: 3 });
    // Asking again for the status it has changes nothing.
    const again = await as(marketer)
      .patch(`/v1/rules/${id}/status`, { status: 'paused' })
      .expect(200);
    expect(again.body).toMatchObject({ status: 'paused', version: 3 });

    const changes = await changesOf(id, 3);
    expect(
      changes.map((c) => [c.version, c.rule.name, c.rule.status, c.rule.offerValidDays]),
    ).toEqual([
      [1, `Department lovers ${department}`, 'active', 14],
      [2, `Renamed ${department}`, 'active', 7],
      [3, `Renamed ${department}`, 'paused', 7],
    ]);
    expect(changes[2]).toEqual({
      rule: {
        id,
        name: `Renamed ${department}`,
        status: 'paused',
        audience: [{ fact: 'departmentSpendCents', department, atLeast: 500 }],
        reward: { kind: 'percentOff', percent: 10, target: { scope: 'department', department } },
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil: '2099-01-01T00:00:00.000Z',
        offerValidDays: 7,
        perShopperLimit: 1,
      },
      version: 3,
      changedAt: paused.body.updatedAt,
    });
    const audit = await db.query(
      `SELECT action FROM loyalty.audit_log WHERE entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'rule.created',
      'rule.updated',
      'rule.status-changed',
    ]);
  });

  it('answers 404 for a change of a rule that does not exist, and 400 for a bad status', async () => {
    const missing = randomUUID();
    await as(marketer).put(`/v1/rules/${missing}`, makeRule(makeDepartment())).expect(404);
    await as(marketer).patch(`/v1/rules/${missing}/status`, { status: 'paused' }).expect(404);
    const { body } = await createRule(makeRule(makeDepartment())).expect(201);
    for (const status of [null, 'maybe', '\u0000']) {
      const response = await as(marketer)
        .patch(`/v1/rules/${body.id}/status`, { status })
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ field: 'status' })],
      });
    }
    const updated = await as(marketer)
      .put(`/v1/rules/${body.id}`, { ...makeRule(makeDepartment()), name: 'x\ud800' })
      .expect(400);
    expect(updated.body.errors.map((e: { field: string }) => e.field)).toEqual(['name']);
    expect(
      (await as(marketer).patch(`/v1/rules/${body.id}/status`, { status: 'active' })).body,
    ).toMatchObject({ version: 1 });
  });

  it.each(['shopper', 'support'] as const)(
    'refuses changes of a rule by the %s role',
    async (role) => {
      const { body } = await createRule(makeRule(makeDepartment())).expect(201);
      await as(tokenFor(role))
        .patch(`/v1/rules/${body.id}/status`, { status: 'paused' })
        .expect(403);
      await as(tokenFor(role)).put(`/v1/rules/${body.id}`, makeRule(makeDepartment())).expect(403);
      const [row] = await db.query(
        `SELECT status, version FROM loyalty.coupon_rules WHERE id = $1`,
        [body.id],
      );
      expect(row).toEqual({ status: 'active', version: 1 });
    },
  );

  describe('rejects a malformed rule with a 400 naming the field, and creates nothing', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['unknown fact', { audience: [{ fact: 'shoeSize', atLeast: 1 }] }, 'audience[0].fact'],
      [
        'department condition without department',
        { audience: [{ fact: 'departmentSpendCents', atLeast: 1 }] },
        'audience[0].department',
      ],
      [
        'negative threshold',
        { audience: [{ fact: 'visits', atLeast: -1 }] },
        'audience[0].atLeast',
      ],
      [
        'percent over 100',
        { reward: { kind: 'percentOff', percent: 120, target: { scope: 'basket' } } },
        'reward.percent',
      ],
      [
        'fractional percent',
        { reward: { kind: 'percentOff', percent: 2.5, target: { scope: 'basket' } } },
        'reward.percent',
      ],
      [
        'amount off without amount',
        { reward: { kind: 'amountOff', target: { scope: 'basket' } } },
        'reward.amountCents',
      ],
      [
        'unknown reward kind',
        { reward: { kind: 'freeLunch', target: { scope: 'basket' } } },
        'reward.kind',
      ],
      [
        'department target without department',
        { reward: { kind: 'percentOff', percent: 5, target: { scope: 'department' } } },
        'reward.target.department',
      ],
      ['no reward', { reward: undefined }, 'reward'],
      ['reward without target', { reward: { kind: 'percentOff', percent: 5 } }, 'reward.target'],
      ['audience not a list', { audience: { fact: 'visits', atLeast: 1 } }, 'audience'],
      [
        'end before start',
        { validFrom: '2026-02-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' },
        'validUntil',
      ],
      ['date without offset', { validFrom: '2026-02-01T00:00:00' }, 'validFrom'],
      ['zero validity days', { offerValidDays: 0 }, 'offerValidDays'],
      ['zero per-shopper limit', { perShopperLimit: 0 }, 'perShopperLimit'],
      ['unknown status', { status: 'maybe' }, 'status'],
      ['empty name', { name: '' }, 'name'],
      [
        'control character in a department',
        { audience: [{ fact: 'departmentSpendCents', department: 'DAIRY\n', atLeast: 1 }] },
        'audience[0].department',
      ],
      ['unknown field', { budget: 5 }, 'budget'],
      // Each of these was a 500 whose log printed every SQL parameter.
      ['NUL character in the name', { name: 'Dairy\u0000' }, 'name'],
      ['lone high surrogate in the name', { name: 'Dairy \ud800' }, 'name'],
      ['lone low surrogate in the name', { name: '\udc00' }, 'name'],
      [
        'lone surrogate in a department',
        { audience: [{ fact: 'departmentSpendCents', department: 'D\ud800', atLeast: 1 }] },
        'audience[0].department',
      ],
      [
        'lone surrogate in a target department',
        {
          reward: {
            kind: 'percentOff',
            percent: 5,
            target: { scope: 'department', department: '\udfff' },
          },
        },
        'reward.target.department',
      ],
      ['null name', { name: null }, 'name'],
      ['null status', { status: null }, 'status'],
      ['null per-shopper limit', { perShopperLimit: null }, 'perShopperLimit'],
      ['null validity days', { offerValidDays: null }, 'offerValidDays'],
      ['null start', { validFrom: null }, 'validFrom'],
      ['null end', { validUntil: null }, 'validUntil'],
      ['null audience', { audience: null }, 'audience'],
      ['null condition', { audience: [null] }, 'audience[0]'],
      ['null fact', { audience: [{ fact: null, atLeast: 1 }] }, 'audience[0].fact'],
      ['null threshold', { audience: [{ fact: 'visits', atLeast: null }] }, 'audience[0].atLeast'],
      [
        'null department in a condition',
        { audience: [{ fact: 'departmentSpendCents', department: null, atLeast: 1 }] },
        'audience[0].department',
      ],
      [
        'threshold beyond any receipt',
        { audience: [{ fact: 'lifetimeSpendCents', atLeast: 1e20 }] },
        'audience[0].atLeast',
      ],
      ['null reward', { reward: null }, 'reward'],
      [
        'null reward kind',
        { reward: { kind: null, percent: 5, target: { scope: 'basket' } } },
        'reward.kind',
      ],
      [
        'null percent',
        { reward: { kind: 'percentOff', percent: null, target: { scope: 'basket' } } },
        'reward.percent',
      ],
      [
        'null amount',
        { reward: { kind: 'amountOff', amountCents: null, target: { scope: 'basket' } } },
        'reward.amountCents',
      ],
      [
        'amount beyond any receipt',
        { reward: { kind: 'amountOff', amountCents: 1e15, target: { scope: 'basket' } } },
        'reward.amountCents',
      ],
      [
        'null target',
        { reward: { kind: 'percentOff', percent: 5, target: null } },
        'reward.target',
      ],
      [
        'null target scope',
        { reward: { kind: 'percentOff', percent: 5, target: { scope: null } } },
        'reward.target.scope',
      ],
      [
        'null target department',
        {
          reward: {
            kind: 'percentOff',
            percent: 5,
            target: { scope: 'department', department: null },
          },
        },
        'reward.target.department',
      ],
    ];

    it.each(cases)('%s', async (_name, change, field) => {
      // A marketer of its own: what was stored is found by author, whatever the body held.
      const author = `marketer-${randomUUID()}`;
      const body = { ...makeRule(makeDepartment()), ...change };
      const response = await createRule(body, tokenFor('marketer', author)).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(response.body.message).toContain(field);
      expect(await rulesBy(author)).toEqual({ rules: 0, audited: 0 });
    });
  });

  describe('access', () => {
    it('refuses a request without a token', async () => {
      const body = makeRule(makeDepartment());
      await createRule(body, null).expect(401);
      expect(await rulesNamed(body.name)).toHaveLength(0);
    });

    it.each([
      [
        'signed with another secret',
        { secret: 'another-secret-that-is-at-least-32-characters' },
        { expiresIn: '1h' },
      ],
      ['without an expiry', {}, {}],
      ['expired', {}, { expiresIn: -10 }],
      ['from another issuer', {}, { expiresIn: '1h', issuer: 'someone-else' }],
    ] as const)('refuses a token %s, and creates nothing', async (_name, keys, options) => {
      const token = new JwtService({ secret: process.env.JWT_SECRET, ...keys }).sign(
        { roles: ['marketer'] },
        { subject: 'mallory', issuer: JWT_ISSUER, ...options },
      );
      const body = makeRule(makeDepartment());
      await createRule(body, token).expect(401);
      expect(await rulesNamed(body.name)).toHaveLength(0);
    });

    it.each(['shopper', 'support'] as const)('refuses the %s role', async (role) => {
      const body = makeRule(makeDepartment());
      const response = await createRule(body, tokenFor(role)).expect(403);
      expect(response.body.code).toBe('FORBIDDEN');
      expect(await rulesNamed(body.name)).toHaveLength(0);
    });

    it('lets an admin create rules', async () => {
      await createRule(makeRule(makeDepartment()), tokenFor('admin')).expect(201);
    });

    it('refuses a POS terminal on a marketing route', async () => {
      const apiKey = await createTerminal(db, 'store-1');
      const body = makeRule(makeDepartment());
      await request(app.getHttpServer())
        .post('/v1/rules')
        .set('X-Api-Key', apiKey)
        .send(body)
        .expect(401);
      expect(await rulesNamed(body.name)).toHaveLength(0);
    });
  });
});
