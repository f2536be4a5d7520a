import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RuleChangedV2, RuleStatusV2, TOPICS } from '@loyalty/domain';
import { postgresOptions } from '@loyalty/platform';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { openDatabase, startLoyaltyApi, tokenFor } from '../../../test/support/apps';
import { readUntil } from '../../../test/support/kafka';
import { databaseUrl, dropTestDatabase } from '../../../test/support/test-database';
import { loyaltyApiDatabase } from '../src/database/data-source';
import { VersionedCouponRules1795900000110 } from '../src/database/migrations/1795900000110-VersionedCouponRules';

// A valid rule of the versioned model, without id: what marketing sends.
function makeRuleBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Dairy lovers ${randomUUID()}`,
    trigger: { kind: 'profileChange' },
    audience: {
      all: [
        { fact: 'spend', window: '13w', atLeast: 5000 },
        { fact: 'tier', in: ['gold'] },
      ],
    },
    reward: { kind: 'percentOff', percent: 10, target: { department: 'DAIRY' } },
    validity: { from: '2026-01-01T00:00:00Z', until: '2099-01-01T00:00:00Z' },
    offerValidDays: 14,
    budgetCents: 100_000,
    priority: 10,
    stacking: 'stackable',
    ...overrides,
  };
}

describe('loyalty-api coupon rules (versioned)', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startLoyaltyApi();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  /** A marketer of its own, so what it stored is found by author whatever the body held. */
  const newMarketer = () => {
    const subject = `marketer-${randomUUID()}`;
    return { subject, token: tokenFor('marketer', subject) };
  };

  const http = (token: string | null) => {
    const auth = (req: request.Test) => (token ? req.set('Authorization', `Bearer ${token}`) : req);
    return {
      post: (path: string, body?: unknown, headers: Record<string, string> = {}) =>
        auth(request(app.getHttpServer()).post(path))
          .set(headers)
          .send(body as object),
      put: (path: string, body?: unknown) =>
        auth(request(app.getHttpServer()).put(path)).send(body as object),
      get: (path: string) => auth(request(app.getHttpServer()).get(path)),
    };
  };

  const createRule = async (token: string, body = makeRuleBody()) =>
    (await http(token).post('/v1/rules', body).expect(201)).body as {
      id: string;
      status: RuleStatusV2;
      version: number;
      revision: number;
    };

  const storedBy = async (author: string) => {
    const [counts] = await db.query(
      `SELECT (SELECT count(*)::int FROM loyalty.rules WHERE created_by = $1) AS rules,
              (SELECT count(*)::int FROM loyalty.rule_versions WHERE created_by = $1) AS versions,
              (SELECT count(*)::int FROM loyalty.audit_log WHERE actor = $1) AS audited`,
      [author],
    );
    return counts as { rules: number; versions: number; audited: number };
  };

  const stateOf = async (id: string) => {
    const [row] = await db.query(
      `SELECT status, version, revision,
              (SELECT count(*)::int FROM loyalty.rule_versions WHERE rule_id = $1) AS versions,
              (SELECT count(*)::int FROM loyalty.audit_log WHERE entity_id = $1::text) AS audited
         FROM loyalty.rules WHERE id = $1`,
      [id],
    );
    return row as {
      status: RuleStatusV2;
      version: number;
      revision: number;
      versions: number;
      audited: number;
    };
  };

  it('creates a draft at version 1 with the id it assigns, stores it and audits who did it', async () => {
    const { subject, token } = newMarketer();
    const body = makeRuleBody();
    const response = await http(token).post('/v1/rules', body).expect(201);
    const { id } = response.body;
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'draft',
      version: 1,
      revision: 1,
      rule: { ...body, id, schemaVersion: 1, usesPerOffer: 1, controlShare: 0 },
      createdBy: subject,
      createdAt: expect.any(String),
      updatedAt: response.body.createdAt,
    });
    expect(await stateOf(id)).toEqual({
      status: 'draft',
      version: 1,
      revision: 1,
      versions: 1,
      audited: 1,
    });
    const [audit] = await db.query(`SELECT * FROM loyalty.audit_log WHERE entity_id = $1`, [id]);
    expect(audit).toMatchObject({
      actor: subject,
      action: 'rule.created',
      entity: 'rule',
      details: { roles: ['marketer'], version: 1, revision: 1, status: 'draft' },
    });
    const fetched = await http(token).get(`/v1/rules/${id}`).expect(200);
    expect(fetched.body).toEqual(response.body);
  });

  describe('refuses a bad rule with a 400 naming every path as the parser does, and stores nothing', () => {
    const not = (levels: number): object =>
      levels === 0 ? { fact: 'visits', window: '4w', atLeast: 1 } : { not: not(levels - 1) };
    const cases: [string, Record<string, unknown>, string[]][] = [
      [
        'a bad window deep in the audience',
        {
          audience: {
            all: [
              { fact: 'spend', window: '13w', atLeast: 1 },
              { fact: 'visits', window: '4w', atLeast: 1 },
              { fact: 'spend', window: '2w', atLeast: 1 },
            ],
          },
        },
        ['audience.all[2].window'],
      ],
      ['an id of its own', { id: 'mine' }, ['id']],
      ['another schema version', { schemaVersion: 2 }, ['schemaVersion']],
      ['no name', { name: undefined }, ['name']],
      ['a null name', { name: null }, ['name']],
      ['a name of the wrong type', { name: 42 }, ['name']],
      ['a NUL in the name', { name: 'Dairy\u0000' }, ['name']],
      ['a lone high surrogate in the name', { name: 'Dairy \ud800' }, ['name']],
      [
        'a lone low surrogate in a department',
        {
          reward: { kind: 'percentOff', percent: 10, target: { department: '\udc00' } },
        },
        ['reward.target.department'],
      ],
      [
        'two faults at once',
        {
          reward: { kind: 'percentOff', percent: 120, target: { department: 'DAIRY' } },
          offerValidDays: 0,
        },
        ['reward.percent', 'offerValidDays'],
      ],
      ['an unknown field', { colour: 'red' }, ['colour']],
      ['a priority as a string', { priority: '10' }, ['priority']],
      [
        'validity ending before it starts',
        { validity: { from: '2027-02-01T00:00:00Z', until: '2027-01-01T00:00:00Z' } },
        ['validity.until'],
      ],
      ['an empty all', { audience: { all: [] } }, ['audience.all']],
      ['an unknown fact', { audience: { fact: 'shoeSize', atLeast: 1 } }, ['audience.fact']],
      [
        'a birthday trigger for everyone',
        { trigger: { kind: 'birthday', daysBefore: 3 }, audience: 'everyone' },
        ['audience'],
      ],
      ['an audience nested too deep', { audience: not(9) }, [`audience${'.not'.repeat(8)}`]],
      ['a null reward', { reward: null }, ['reward']],
      ['no trigger', { trigger: undefined }, ['trigger']],
      ['a budget of zero', { budgetCents: 0 }, ['budgetCents']],
    ];

    it.each(cases)('%s', async (_name, change, fields) => {
      const { subject, token } = newMarketer();
      const response = await http(token)
        .post('/v1/rules', { ...makeRuleBody(), ...change })
        .expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.violations.map((v: { field: string }) => v.field)).toEqual(fields);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
      expect(await storedBy(subject)).toEqual({ rules: 0, versions: 0, audited: 0 });
    });

    const nest = (levels: number): object | number => (levels === 0 ? 1 : { a: nest(levels - 1) });

    it('refuses a payment card number in the name without echoing it', async () => {
      const { subject, token } = newMarketer();
      const response = await http(token)
        .post('/v1/rules', makeRuleBody({ name: 'Promo 4111 1111 1111 1111' }))
        .expect(400);
      expect(response.body).toMatchObject({ code: 'PAYMENT_CARD_DATA', field: 'name' });
      expect(JSON.stringify(response.body)).not.toMatch(/4111/);
      expect(await storedBy(subject)).toEqual({ rules: 0, versions: 0, audited: 0 });
    });

    it.each<[string, () => string, number]>([
      ['a body nested beyond the limit', () => JSON.stringify(makeRuleBody({ x: nest(40) })), 400],
      ['a body that is no JSON', () => '{"name": ', 400],
      ['a body that is a list', () => '[1, 2]', 400],
      [
        'a body larger than the route takes',
        () => JSON.stringify({ name: 'x'.repeat(2 ** 21) }),
        413,
      ],
    ])('refuses %s', async (_name, body, status) => {
      const { subject, token } = newMarketer();
      await http(token)
        .post('/v1/rules', body(), { 'Content-Type': 'application/json' })
        .expect(status);
      expect(await storedBy(subject)).toEqual({ rules: 0, versions: 0, audited: 0 });
    });
  });

  describe('lifecycle', () => {
    const to = (token: string, id: string, status: unknown) =>
      http(token).post(`/v1/rules/${id}/status`, { status });

    // How to bring a new draft to each status.
    const PATHS: Record<RuleStatusV2, RuleStatusV2[]> = {
      draft: [],
      active: ['active'],
      paused: ['active', 'paused'],
      ended: ['ended'],
    };
    const ALLOWED: Record<RuleStatusV2, RuleStatusV2[]> = {
      draft: ['active', 'ended'],
      active: ['paused', 'ended'],
      paused: ['active', 'ended'],
      ended: [],
    };
    const STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
    const table = STATUSES.flatMap((from) =>
      STATUSES.map((next) => {
        const outcome =
          from === next ? 'unchanged' : ALLOWED[from].includes(next) ? 'changed' : 'refused';
        return [from, next, outcome] as const;
      }),
    );

    it.each(table)('%s → %s: %s', async (from, next, outcome) => {
      const { token } = newMarketer();
      const { id } = await createRule(token);
      for (const step of PATHS[from]) await to(token, id, step).expect(200);
      const before = await stateOf(id);
      expect(before.status).toBe(from);

      const response = await to(token, id, next);
      const after = await stateOf(id);
      if (outcome === 'refused') {
        expect(response.status).toBe(409);
        expect(response.body).toMatchObject({ code: 'INVALID_TRANSITION', field: 'status' });
        expect(response.body.message).toContain(`from ${from} to ${next}`);
        expect(after).toEqual(before);
      } else if (outcome === 'unchanged') {
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ status: from, revision: before.revision });
        expect(after).toEqual(before);
      } else {
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({
          status: next,
          version: 1,
          revision: before.revision + 1,
        });
        expect(after).toEqual({
          ...before,
          status: next,
          revision: before.revision + 1,
          audited: before.audited + 1,
        });
      }
    });

    it('refuses to activate a rule whose validity has passed', async () => {
      const { token } = newMarketer();
      const { id } = await createRule(
        token,
        makeRuleBody({ validity: { from: '2020-01-01T00:00:00Z', until: '2020-02-01T00:00:00Z' } }),
      );
      const response = await to(token, id, 'active').expect(409);
      expect(response.body).toMatchObject({ code: 'RULE_EXPIRED', field: 'validity.until' });
      expect((await stateOf(id)).status).toBe('draft');
      await to(token, id, 'ended').expect(200);
    });

    it('takes no new definition for an ended rule', async () => {
      const { token } = newMarketer();
      const { id } = await createRule(token);
      await to(token, id, 'ended').expect(200);
      const before = await stateOf(id);
      const response = await http(token).put(`/v1/rules/${id}`, makeRuleBody()).expect(409);
      expect(response.body.code).toBe('RULE_ENDED');
      expect(await stateOf(id)).toEqual(before);
    });

    it.each([null, 'maybe', 'ACTIVE', 1, '\ud800', undefined])(
      'refuses the status %p with a 400 naming status',
      async (status) => {
        const { token } = newMarketer();
        const { id } = await createRule(token);
        const response = await to(token, id, status).expect(400);
        expect(response.body).toMatchObject({
          code: 'VALIDATION_FAILED',
          errors: [expect.objectContaining({ field: 'status' })],
        });
        expect((await stateOf(id)).revision).toBe(1);
      },
    );

    it('refuses a status body with another field', async () => {
      const { token } = newMarketer();
      const { id } = await createRule(token);
      await http(token).post(`/v1/rules/${id}/status`, { status: 'active', why: 'x' }).expect(400);
      expect((await stateOf(id)).status).toBe('draft');
    });
  });

  describe('versions', () => {
    it('an edit of an active rule makes a new version; the old one stays readable and unchanged', async () => {
      const { subject, token } = newMarketer();
      const first = makeRuleBody();
      const { id } = await createRule(token, first);
      await http(token).post(`/v1/rules/${id}/status`, { status: 'active' }).expect(200);

      const second = makeRuleBody({ name: `Renamed ${id}`, offerValidDays: 7 });
      const edited = await http(token).put(`/v1/rules/${id}`, second).expect(200);
      expect(edited.body).toMatchObject({
        id,
        status: 'active',
        version: 2,
        revision: 3,
        rule: { ...second, id, schemaVersion: 1 },
      });

      const v1 = await http(token).get(`/v1/rules/${id}/versions/1`).expect(200);
      expect(v1.body).toEqual({
        ruleId: id,
        version: 1,
        rule: { ...first, id, schemaVersion: 1, usesPerOffer: 1, controlShare: 0 },
        createdBy: subject,
        createdAt: expect.any(String),
      });
      const v2 = await http(token).get(`/v1/rules/${id}/versions/2`).expect(200);
      expect(v2.body.rule).toEqual(edited.body.rule);
      const current = await http(token).get(`/v1/rules/${id}`).expect(200);
      expect(current.body).toEqual(edited.body);

      const list = await http(token).get(`/v1/rules/${id}/versions`).expect(200);
      expect(list.body).toEqual({
        versions: [
          { version: 1, name: first.name, createdBy: subject, createdAt: v1.body.createdAt },
          { version: 2, name: second.name, createdBy: subject, createdAt: v2.body.createdAt },
        ],
        nextCursor: null,
      });
      const paged = await http(token).get(`/v1/rules/${id}/versions?limit=1`).expect(200);
      expect(paged.body).toMatchObject({ versions: [{ version: 1 }], nextCursor: 1 });
      const rest = await http(token).get(`/v1/rules/${id}/versions?limit=1&after=1`).expect(200);
      expect(rest.body).toMatchObject({ versions: [{ version: 2 }], nextCursor: null });

      // Written once: the database refuses to change a definition.
      await expect(
        db.query(`UPDATE loyalty.rule_versions SET definition = '{}' WHERE rule_id = $1`, [id]),
      ).rejects.toThrow(/append-only/);
      await expect(
        db.query(`DELETE FROM loyalty.rule_versions WHERE rule_id = $1`, [id]),
      ).rejects.toThrow(/append-only/);
    });

    it('the current definition sent again, keys in another order and with its id, changes nothing', async () => {
      const { token } = newMarketer();
      const body = makeRuleBody();
      const { id } = await createRule(token, body);
      const before = await stateOf(id);
      const reordered = Object.fromEntries(Object.entries({ ...body, id }).reverse());
      const response = await http(token).put(`/v1/rules/${id}`, reordered).expect(200);
      expect(response.body).toMatchObject({ version: 1, revision: 1 });
      expect(await stateOf(id)).toEqual(before);
    });

    it('refuses an edit naming another id, or breaking the model, and changes nothing', async () => {
      const { token } = newMarketer();
      const { id } = await createRule(token);
      const before = await stateOf(id);
      const other = await http(token)
        .put(`/v1/rules/${id}`, makeRuleBody({ id: randomUUID() }))
        .expect(400);
      expect(other.body.violations.map((v: { field: string }) => v.field)).toEqual(['id']);
      const bad = await http(token)
        .put(`/v1/rules/${id}`, makeRuleBody({ stacking: 'sometimes' }))
        .expect(400);
      expect(bad.body.violations.map((v: { field: string }) => v.field)).toEqual(['stacking']);
      expect(await stateOf(id)).toEqual(before);
    });

    it('serialises concurrent edits of one rule: each a version, revisions strictly increasing', async () => {
      const { token } = newMarketer();
      const { id } = await createRule(token);
      const responses = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          http(token).put(`/v1/rules/${id}`, makeRuleBody({ name: `Edit ${n} ${id}` })),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(responses.map((r) => r.body.version).sort()).toEqual([2, 3, 4, 5, 6]);
      expect(await stateOf(id)).toMatchObject({ version: 6, revision: 6, versions: 6 });
    });
  });

  describe('answers 404 for what does not exist and 400 for a malformed parameter', () => {
    it.each([
      [
        'get',
        () => http(tokenFor('marketer')).get(`/v1/rules/${randomUUID()}`),
        404,
        'RULE_NOT_FOUND',
      ],
      [
        'edit',
        () => http(tokenFor('marketer')).put(`/v1/rules/${randomUUID()}`, makeRuleBody()),
        404,
        'RULE_NOT_FOUND',
      ],
      [
        'status',
        () =>
          http(tokenFor('marketer')).post(`/v1/rules/${randomUUID()}/status`, { status: 'active' }),
        404,
        'RULE_NOT_FOUND',
      ],
      [
        'versions',
        () => http(tokenFor('marketer')).get(`/v1/rules/${randomUUID()}/versions`),
        404,
        'RULE_NOT_FOUND',
      ],
      [
        'a version',
        () => http(tokenFor('marketer')).get(`/v1/rules/${randomUUID()}/versions/1`),
        404,
        'RULE_NOT_FOUND',
      ],
      [
        'get, bad uuid',
        () => http(tokenFor('marketer')).get('/v1/rules/not-a-uuid'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'edit, bad uuid',
        () => http(tokenFor('marketer')).put('/v1/rules/not-a-uuid', makeRuleBody()),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'status, bad uuid',
        () => http(tokenFor('marketer')).post('/v1/rules/1/status', { status: 'active' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'versions, bad uuid',
        () => http(tokenFor('marketer')).get('/v1/rules/x/versions'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a version, bad uuid',
        () => http(tokenFor('marketer')).get('/v1/rules/x/versions/1'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'list, bad status',
        () => http(tokenFor('marketer')).get('/v1/rules?status=maybe'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'list, limit 0',
        () => http(tokenFor('marketer')).get('/v1/rules?limit=0'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'list, limit 101',
        () => http(tokenFor('marketer')).get('/v1/rules?limit=101'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'list, limit x',
        () => http(tokenFor('marketer')).get('/v1/rules?limit=x'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'list, bad cursor',
        () => http(tokenFor('marketer')).get('/v1/rules?cursor=bm9wZQ'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'list, a cursor of a time PostgreSQL cannot hold',
        () =>
          http(tokenFor('marketer')).get(
            `/v1/rules?cursor=${Buffer.from(`+275760-09-13T00:00:00.000Z|${randomUUID()}`).toString('base64url')}`,
          ),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'list, unknown parameter',
        () => http(tokenFor('marketer')).get('/v1/rules?sort=name'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'versions, after -1',
        () => http(tokenFor('marketer')).get(`/v1/rules/${randomUUID()}/versions?after=-1`),
        400,
        'VALIDATION_FAILED',
      ],
    ] as const)('%s', async (_name, send, status, code) => {
      const response = await send().expect(status);
      expect(response.body.code).toBe(code);
    });

    it.each(['0', '-1', '1.5', 'x', '99999999999'])('a version %s is a 400', async (version) => {
      const { token } = newMarketer();
      const { id } = await createRule(token);
      const response = await http(token).get(`/v1/rules/${id}/versions/${version}`).expect(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['version']);
    });

    it('a version the rule does not have is a 404', async () => {
      const { token } = newMarketer();
      const { id } = await createRule(token);
      const response = await http(token).get(`/v1/rules/${id}/versions/2`).expect(404);
      expect(response.body.code).toBe('RULE_VERSION_NOT_FOUND');
    });
  });

  it('lists rules newest first, filtered by status, a page at a time', async () => {
    const { token } = newMarketer();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createRule(token)).id);
    await http(token).post(`/v1/rules/${ids[1]}/status`, { status: 'ended' }).expect(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${cursor}` : 'limit=2';
      const page = await http(token).get(`/v1/rules?${query}`).expect(200);
      expect(page.body.rules.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.rules.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor && !ids.every((id) => seen.includes(id)));
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());

    const ended = await http(token).get('/v1/rules?status=ended&limit=100').expect(200);
    const endedIds = ended.body.rules.map((r: { id: string }) => r.id);
    expect(endedIds).toContain(ids[1]);
    expect(endedIds).not.toContain(ids[0]);
    expect(ended.body.rules.every((r: { status: string }) => r.status === 'ended')).toBe(true);
  });

  describe('budget', () => {
    it.each([
      ['no budget', { budgetCents: undefined }],
      ['a budget above the threshold', { budgetCents: 500_001 }],
    ])('refuses a marketer a rule with %s, and lets an admin create it', async (_name, change) => {
      const { subject, token } = newMarketer();
      const response = await http(token).post('/v1/rules', makeRuleBody(change)).expect(403);
      expect(response.body).toMatchObject({ code: 'BUDGET_NEEDS_ADMIN', field: 'budgetCents' });
      expect(await storedBy(subject)).toEqual({ rules: 0, versions: 0, audited: 0 });
      await http(tokenFor('admin', `admin-${randomUUID()}`))
        .post('/v1/rules', makeRuleBody(change))
        .expect(201);
    });

    it('lets a marketer create a rule at the threshold, but not raise it beyond', async () => {
      const { token } = newMarketer();
      const { id } = await createRule(token, makeRuleBody({ budgetCents: 500_000 }));
      const before = await stateOf(id);
      const response = await http(token)
        .put(`/v1/rules/${id}`, makeRuleBody({ budgetCents: 600_000 }))
        .expect(403);
      expect(response.body.code).toBe('BUDGET_NEEDS_ADMIN');
      expect(await stateOf(id)).toEqual(before);
      const admin = await http(tokenFor('admin'))
        .put(`/v1/rules/${id}`, makeRuleBody({ budgetCents: 600_000 }))
        .expect(200);
      expect(admin.body).toMatchObject({ version: 2, rule: { budgetCents: 600_000 } });
    });
  });

  describe('access', () => {
    const routes = (id: string) =>
      [
        ['create', (token: string | null) => http(token).post('/v1/rules', makeRuleBody())],
        ['edit', (token: string | null) => http(token).put(`/v1/rules/${id}`, makeRuleBody())],
        [
          'status',
          (token: string | null) => http(token).post(`/v1/rules/${id}/status`, { status: 'ended' }),
        ],
        ['list', (token: string | null) => http(token).get('/v1/rules')],
        ['get', (token: string | null) => http(token).get(`/v1/rules/${id}`)],
        ['versions', (token: string | null) => http(token).get(`/v1/rules/${id}/versions`)],
        ['a version', (token: string | null) => http(token).get(`/v1/rules/${id}/versions/1`)],
      ] as const;

    it.each(['support', 'shopper', 'finance'] as const)(
      'refuses the %s role on every route, and changes nothing',
      async (role) => {
        const { token } = newMarketer();
        const { id } = await createRule(token);
        const before = await stateOf(id);
        const subject = `${role}-${randomUUID()}`;
        for (const [name, send] of routes(id)) {
          const response = await send(tokenFor(role, subject));
          expect([name, response.status, response.body.code]).toEqual([name, 403, 'FORBIDDEN']);
        }
        expect(await stateOf(id)).toEqual(before);
        expect(await storedBy(subject)).toEqual({ rules: 0, versions: 0, audited: 0 });
      },
    );

    it('refuses a request without a token on every route', async () => {
      const { token } = newMarketer();
      const { id } = await createRule(token);
      for (const [name, send] of routes(id)) {
        const response = await send(null);
        expect([name, response.status]).toEqual([name, 401]);
      }
    });
  });

  describe('idempotent creation', () => {
    const withKey = (key: string) => ({ 'Idempotency-Key': key });

    it('answers the same key and body again with the first answer, even after changes', async () => {
      const { subject, token } = newMarketer();
      const key = `key-${randomUUID()}`;
      const body = makeRuleBody();
      const first = await http(token).post('/v1/rules', body, withKey(key)).expect(201);
      await http(token).post(`/v1/rules/${first.body.id}/status`, { status: 'active' }).expect(200);
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const again = await http(token).post('/v1/rules', reordered, withKey(key)).expect(201);
      expect(again.body).toEqual(first.body);
      expect(await storedBy(subject)).toMatchObject({ rules: 1, versions: 1 });

      const reused = await http(token).post('/v1/rules', makeRuleBody(), withKey(key)).expect(422);
      expect(reused.body).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
        field: 'idempotency-key',
      });
      expect(await storedBy(subject)).toMatchObject({ rules: 1, versions: 1 });

      // Keys are per caller: another marketer's same key is a rule of its own.
      const other = newMarketer();
      const theirs = await http(other.token).post('/v1/rules', body, withKey(key)).expect(201);
      expect(theirs.body.id).not.toBe(first.body.id);
    });

    it('makes one rule of 5 identical posts arriving at once', async () => {
      const { subject, token } = newMarketer();
      const key = `race-${randomUUID()}`;
      const body = makeRuleBody();
      const responses = await Promise.all(
        [1, 2, 3, 4, 5].map(() => http(token).post('/v1/rules', body, withKey(key))),
      );
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(await storedBy(subject)).toEqual({ rules: 1, versions: 1, audited: 1 });
    });

    it.each([['x'.repeat(65)], ['has space'], ['clé'], ['tab\there']])(
      'refuses the key %p with a 400, storing nothing',
      async (key) => {
        const { subject, token } = newMarketer();
        const response = await http(token)
          .post('/v1/rules', makeRuleBody(), withKey(key))
          .expect(400);
        expect(response.body).toMatchObject({
          code: 'VALIDATION_FAILED',
          errors: [expect.objectContaining({ field: 'idempotency-key' })],
        });
        expect(await storedBy(subject)).toEqual({ rules: 0, versions: 0, audited: 0 });
      },
    );
  });

  it('publishes every change as loyalty-api.rule-changed.v2 with its version, revision and status', async () => {
    const { token } = newMarketer();
    const first = makeRuleBody();
    const { id } = await createRule(token, first);
    await http(token).post(`/v1/rules/${id}/status`, { status: 'active' }).expect(200);
    const second = makeRuleBody({ name: `Second ${id}` });
    await http(token).put(`/v1/rules/${id}`, second).expect(200);
    const paused = await http(token)
      .post(`/v1/rules/${id}/status`, { status: 'paused' })
      .expect(200);

    const read = await readUntil(TOPICS.ruleChangedV2, (m) => {
      if (m.key?.toString() !== id) return false;
      return (JSON.parse(m.value!.toString()) as RuleChangedV2).revision === 4;
    });
    const events = read
      .filter((m) => m.key?.toString() === id)
      .map((m) => JSON.parse(m.value!.toString()) as RuleChangedV2);
    expect(events.map((e) => [e.version, e.revision, e.status, e.rule.name])).toEqual([
      [1, 1, 'draft', first.name],
      [1, 2, 'active', first.name],
      [2, 3, 'active', second.name],
      [2, 4, 'paused', second.name],
    ]);
    expect(events[3]).toEqual({
      ruleId: id,
      version: 2,
      revision: 4,
      status: 'paused',
      rule: paused.body.rule,
      changedAt: paused.body.updatedAt,
    });
  });

  describe('the move from loyalty.coupon_rules', () => {
    const name = `loyalty_rules_move_${process.pid}_${Date.now()}`;
    const url = databaseUrl(name);
    const all = loyaltyApiDatabase.migrations;
    const mine = all.indexOf(VersionedCouponRules1795900000110);

    const dataSourceUpTo = (upTo: number) =>
      new DataSource(
        postgresOptions({
          ...loyaltyApiDatabase,
          migrations: all.slice(0, upTo),
          databaseUrl: url,
          applicationName: 'test',
        }),
      );

    async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    }

    const insertOffer = (ruleId: string) =>
      query(
        `INSERT INTO loyalty.offers (id, code, shopper_id, rule_id, reward, valid_from, valid_until,
                                     issued_at, state)
         VALUES ($1, $2, $3, $4, '{}', '2026-01-01Z', '2099-01-01Z', '2026-02-01Z', 'issued')`,
        [randomUUID(), `C${randomUUID().slice(0, 8)}`, randomUUID(), ruleId],
      );

    beforeAll(async () => {
      const admin = new Client({ connectionString: databaseUrl('postgres') });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
    });

    afterAll(async () => {
      await dropTestDatabase(name);
    });

    it('retires the old rules into the audit log, drops the table, and keeps offers of old rule ids valid', async () => {
      expect(mine).toBeGreaterThan(0);
      const before = await dataSourceUpTo(mine).initialize();
      await before.destroy();
      const oldRule = randomUUID();
      await query(
        `INSERT INTO loyalty.coupon_rules (id, name, status, audience, reward, valid_from,
                                           valid_until, offer_valid_days, per_shopper_limit,
                                           created_by)
         VALUES ($1, 'Old rule', 'active', '[{"fact":"visits","atLeast":3}]',
                 '{"kind":"percentOff","percent":5,"target":{"scope":"basket"}}',
                 '2026-01-01Z', '2099-01-01Z', 14, 1, 'alice')`,
        [oldRule],
      );
      await insertOffer(oldRule);

      const after = await dataSourceUpTo(all.length).initialize();
      await after.destroy();
      expect(await query(`SELECT to_regclass('loyalty.coupon_rules') AS t`)).toEqual([{ t: null }]);
      expect(
        await query(
          `SELECT actor, action, entity, details FROM loyalty.audit_log WHERE entity_id = $1`,
          [oldRule],
        ),
      ).toEqual([
        {
          actor: 'migration:VersionedCouponRules',
          action: 'rule.retired',
          entity: 'coupon_rule',
          details: expect.objectContaining({
            name: 'Old rule',
            status: 'active',
            audience: [{ fact: 'visits', atLeast: 3 }],
            created_by: 'alice',
          }),
        },
      ]);
      // An offer of the old rule still arriving from the engine is still taken.
      await insertOffer(oldRule);
      expect(
        await query(`SELECT count(*)::int AS n FROM loyalty.offers WHERE rule_id = $1`, [oldRule]),
      ).toEqual([{ n: 2 }]);

      // And back (with the migrations after it): the old table returns (empty), the new ones go.
      const undo = dataSourceUpTo(all.length);
      await undo.initialize();
      for (let undone = all.length; undone > mine; undone--) await undo.undoLastMigration();
      await undo.destroy();
      expect(
        await query(
          `SELECT to_regclass('loyalty.coupon_rules')::text AS old,
                  to_regclass('loyalty.rules')::text AS new`,
        ),
      ).toEqual([{ old: 'loyalty.coupon_rules', new: null }]);
    });
  });
});
