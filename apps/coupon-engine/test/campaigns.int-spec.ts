import {
  AudienceFacts,
  LifecycleChangedV1,
  LifecycleSegment,
  OfferIssuedV2,
  Rule,
  TOPICS,
  evaluateAudience,
  isHeldOut,
} from '@loyalty/domain';
import { OutboxRelay } from '@loyalty/kafka';
import { JobContext, JobRunner } from '@loyalty/platform';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually, openDatabase, startCouponEngine } from '../../../test/support/apps';
import { makeRule } from '../../../test/support/fixtures';
import { produce, readUntil } from '../../../test/support/kafka';
import { AudienceFactsQuery } from '../src/audiences/audience-facts.query';
import { CampaignIssuanceQueries } from '../src/campaigns/campaign-issuance.queries';
import { CampaignsJob } from '../src/campaigns/campaigns.job';
import { CouponEngineConfig } from '../src/config';
import { JOBS_TABLE } from '../src/database/data-source';
import { LiveRulesQuery } from '../src/rules/live-rules.query';

// Every test's rules are valid in a year of their own and select a home store of their own, so a
// run of the job meets only that test's rules and households (the database is shared).
describe('coupon-engine issues campaigns over the whole population', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startCouponEngine();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const makeStore = () => `store-${randomUUID().slice(0, 8)}`;

  /** A row of the engine's household facts copy, consenting, of `store`. */
  const facts = (store: string, overrides: Record<string, unknown> = {}) => ({
    household_id: randomUUID(),
    facts_as_of: '2030-01-01',
    spend_4w_cents: 0,
    visits_4w: 0,
    spend_13w_cents: 0,
    visits_13w: 0,
    spend_52w_cents: 0,
    visits_52w: 0,
    average_basket_52w_cents: null,
    cadence_days: null,
    next_visit_due_on: null,
    days_since_last_visit: null,
    r_score: null,
    f_score: null,
    m_score: null,
    lifecycle: null,
    lifecycle_since: null,
    tier: 'bronze',
    tier_since: null,
    birthday: null,
    birthday_in_days: null,
    enrolled_on: null,
    home_store_id: store,
    region: null,
    age_band: null,
    household_size: null,
    income_band: null,
    consent_personalised_offers: true,
    household_version: 1,
    updated_at: new Date().toISOString(),
    ...overrides,
  });

  async function seed(rows: ReturnType<typeof facts>[]): Promise<string[]> {
    await db.query(
      `INSERT INTO coupons.household_facts
       SELECT * FROM jsonb_populate_recordset(NULL::coupons.household_facts, $1::jsonb)`,
      [JSON.stringify(rows)],
    );
    return rows.map((r) => r.household_id).sort();
  }

  /** `rule` as the active version `version` in the engine's copy. */
  async function activate(rule: Rule, version = 1): Promise<Rule> {
    await db.query(
      `INSERT INTO coupons.rule_versions (rule_id, version, definition) VALUES ($1, $2, $3)`,
      [rule.id, version, JSON.stringify(rule)],
    );
    await db.query(
      `INSERT INTO coupons.rule_states (rule_id, revision, status, version, changed_at)
       VALUES ($1, $2, 'active', $2, now())
       ON CONFLICT (rule_id) DO UPDATE SET revision = EXCLUDED.revision, version = EXCLUDED.version`,
      [rule.id, version],
    );
    return rule;
  }

  /** A rule valid from the start of `year` for `years`. */
  const inYear = (year: number, overrides: Partial<Rule>, years = 1) =>
    makeRule({
      validity: { from: `${year}-01-01T00:00:00Z`, until: `${year + years}-01-01T00:00:00Z` },
      offerValidDays: 7,
      ...overrides,
    });

  /** Runs the app's campaigns job for the minute `period` (an instant), waiting out other runs. */
  const runAt = (period: string) =>
    eventually(async () => (await app.get(JobRunner).trigger('campaigns', period)) === 'done');

  const offersOf = async (ruleId: string) =>
    (await db.query(
      `SELECT id, code, shopper_id, rule_version, period_key, reward, valid_from, valid_until,
              reason, issued_at
         FROM coupons.offers WHERE rule_id = $1 ORDER BY shopper_id, period_key`,
      [ruleId],
    )) as {
      id: string;
      code: string;
      shopper_id: string;
      rule_version: number;
      period_key: string;
      reward: unknown;
      valid_from: Date;
      valid_until: Date;
      reason: unknown;
      issued_at: Date;
    }[];

  /** A campaigns job of its own with smaller chunks, on the app's providers. */
  const jobWithChunk = (chunk: number) => {
    const config = Object.assign(new CouponEngineConfig(), app.get(CouponEngineConfig), {
      CAMPAIGNS_CHUNK: chunk,
    });
    return new CampaignsJob(
      app.get(DataSource),
      app.get(LiveRulesQuery),
      app.get(CampaignIssuanceQueries),
      app.get(OutboxRelay),
      config,
    );
  };

  it('issues a schedule rule once per occurrence to exactly the households its audience selects', async () => {
    const store = makeStore();
    const rows = Array.from({ length: 120 }, (_, i) =>
      facts(store, {
        spend_4w_cents: (i % 6) * 500,
        consent_personalised_offers: i % 5 !== 0,
        tier: i % 3 === 0 ? 'gold' : 'bronze',
      }),
    );
    const ids = await seed(rows);
    const rule = await activate(
      inYear(2031, {
        trigger: { kind: 'schedule', cron: '0 9 * * 1-5', timeZone: 'Europe/London' },
        audience: {
          all: [
            { fact: 'homeStore', in: [store] },
            {
              any: [
                { fact: 'spend', window: '4w', atLeast: 1_500 },
                { fact: 'tier', in: ['gold'] },
              ],
            },
          ],
        },
      }),
    );
    const loaded = await app
      .get(AudienceFactsQuery)
      .load(db.manager, ids, { products: false, listIds: [], crossSell: [] }, '2031-03-10');
    const expected = ids.filter((id) => {
      const householdFacts = loaded.get(id) as AudienceFacts;
      return evaluateAudience(rule.audience, householdFacts, '2031-03-10').held;
    });
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.length).toBeLessThan(ids.length);

    // Monday 10 March 2031, 09:00 in London (GMT); then again within the hour; then Tuesday.
    await runAt('2031-03-10T09:00:00.000Z');
    const first = await offersOf(rule.id);
    expect(first.map((o) => o.shopper_id)).toEqual(expected);
    for (const offer of first) {
      const household = loaded.get(offer.shopper_id) as AudienceFacts;
      expect(offer).toMatchObject({
        rule_version: 1,
        period_key: '2031-03-10T09:00',
        reward: rule.reward,
        valid_from: new Date('2031-03-10T09:00:00Z'),
        valid_until: new Date('2031-03-17T09:00:00Z'),
        issued_at: new Date('2031-03-10T09:00:00Z'),
        // Why: the rule version and trigger, and each condition's value for the household.
        reason: {
          campaign: true,
          held: true,
          ruleVersion: 1,
          trigger: rule.trigger,
          occurrence: '2031-03-10T09:00',
          values: {
            'audience.all[0]': store,
            'audience.all[1].any[0]': household.spend4wCents,
            'audience.all[1].any[1]': household.tier,
          },
        },
      });
      expect(offer.code).toMatch(/^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$/);
    }
    await runAt('2031-03-10T09:37:00.000Z');
    expect(await offersOf(rule.id)).toEqual(first);
    await runAt('2031-03-11T09:01:00.000Z');
    const both = await offersOf(rule.id);
    expect(both).toHaveLength(expected.length * 2);
    expect(new Set(both.map((o) => o.period_key))).toEqual(
      new Set(['2031-03-10T09:00', '2031-03-11T09:00']),
    );
    const runs = await db.query(
      `SELECT occurrence, state, offers FROM coupons.campaign_runs WHERE rule_id = $1 ORDER BY occurrence`,
      [rule.id],
    );
    expect(runs).toEqual([
      { occurrence: '2031-03-10T09:00', state: 'done', offers: expected.length },
      { occurrence: '2031-03-11T09:00', state: 'done', offers: expected.length },
    ]);

    // What reaches the wallet: the offer as OfferIssuedV2, once the relay has sent the rule's
    // offers (in outbox order, behind whatever the database's earlier tests left to send).
    await eventually(async () => {
      const [{ queued }] = await db.query(
        `SELECT count(*)::int AS queued FROM coupons.outbox WHERE payload ->> 'ruleId' = $1`,
        [rule.id],
      );
      return queued === 0;
    }, 90_000);
    // One read from the topic's start, which holds every earlier test's offers.
    const sample = first.slice(0, 3);
    const seen = new Map<string, KafkaMessage>();
    await readUntil(TOPICS.offerIssuedV2, (m) => {
      const { offerId } = JSON.parse(String(m.value)) as OfferIssuedV2;
      if (sample.some((o) => o.id === offerId)) seen.set(offerId, m);
      return seen.size === sample.length;
    });
    for (const offer of sample) {
      const message = seen.get(offer.id) as KafkaMessage;
      expect(String(message.key)).toBe(offer.shopper_id);
      const payload: OfferIssuedV2 = JSON.parse(String(message.value));
      expect(payload).toEqual({
        offerId: offer.id,
        code: offer.code,
        householdId: offer.shopper_id,
        ruleId: rule.id,
        ruleVersion: 1,
        reward: rule.reward,
        validFrom: '2031-03-10T09:00:00.000Z',
        validUntil: '2031-03-17T09:00:00.000Z',
        issuedAt: '2031-03-10T09:00:00.000Z',
        terms: {
          usesPerOffer: 1,
          stores: null,
          priority: rule.priority,
          stacking: rule.stacking,
          stackingGroup: null,
          budgetCents: null,
          clipRequired: false,
        },
        reason: offer.reason,
      });
    }
  }, 240_000);

  it('stops at maxOffersIssued', async () => {
    const store = makeStore();
    await seed(Array.from({ length: 40 }, () => facts(store)));
    const rule = await activate(
      inYear(2037, {
        trigger: { kind: 'schedule', cron: '30 10 * * *', timeZone: 'UTC' },
        audience: { fact: 'homeStore', in: [store] },
        maxOffersIssued: 15,
      }),
    );
    await runAt('2037-05-01T10:30:00.000Z');
    expect(await offersOf(rule.id)).toHaveLength(15);
  });

  it('leaves out the households that got their weekly offer limit in the last 7 days, and counts them', async () => {
    const store = makeStore();
    const [full, roomForOne, longAgo] = [facts(store), facts(store), facts(store)];
    await seed([full, roomForOne, longAgo]);
    // Offers of other rules: 10 (the default limit) and 9 in the last 7 days, 10 before them.
    const given = async (household: string, count: number, issuedAt: string) =>
      db.query(
        `INSERT INTO coupons.offers (id, code, shopper_id, rule_id, reward, valid_from, valid_until, reason, issued_at)
         SELECT gen_random_uuid(), 'WL' || md5(random()::text), $1, gen_random_uuid(), '{}', $2, $2, '[]', $2
           FROM generate_series(1, $3)`,
        [household, issuedAt, count],
      );
    await given(full.household_id, 10, '2037-06-25T10:00:00Z');
    await given(roomForOne.household_id, 9, '2037-06-28T10:00:00Z');
    await given(longAgo.household_id, 10, '2037-06-24T09:00:00Z');
    const rule = await activate(
      inYear(2037, {
        trigger: { kind: 'schedule', cron: '0 10 1 7 *', timeZone: 'UTC' },
        audience: { fact: 'homeStore', in: [store] },
      }),
    );
    await runAt('2037-07-01T10:00:00.000Z');
    expect((await offersOf(rule.id)).map((o) => o.shopper_id).sort()).toEqual(
      [roomForOne.household_id, longAgo.household_id].sort(),
    );
    expect(
      await db.query(`SELECT offers, limited FROM coupons.campaign_runs WHERE rule_id = $1`, [
        rule.id,
      ]),
    ).toEqual([{ offers: 2, limited: 1 }]);
  });

  it('issues nothing twice when two runs of one occurrence overlap', async () => {
    const store = makeStore();
    const ids = await seed(Array.from({ length: 300 }, () => facts(store)));
    const rule = await activate(
      inYear(2032, {
        trigger: { kind: 'schedule', cron: '0 12 * * *', timeZone: 'UTC' },
        audience: { fact: 'homeStore', in: [store] },
      }),
    );
    // Two processes that both believe they hold the run (one lost its lease without knowing).
    const context = (): JobContext => ({
      period: '2032-06-01T12:00:00.000Z',
      cursor: null,
      checkpoint: async () => undefined,
    });
    await Promise.all([jobWithChunk(100).run(context()), jobWithChunk(100).run(context())]);

    const offers = await offersOf(rule.id);
    expect(offers.map((o) => o.shopper_id)).toEqual(ids);
    const [run] = await db.query(
      `SELECT state, offers FROM coupons.campaign_runs WHERE rule_id = $1`,
      [rule.id],
    );
    expect(run).toEqual({ state: 'done', offers: 300 });
  });

  it('resumes a run that stopped after its first chunk', async () => {
    const store = makeStore();
    const ids = await seed(Array.from({ length: 200 }, () => facts(store)));
    const rule = await activate(
      inYear(2033, {
        trigger: { kind: 'schedule', cron: '15 8 * * *', timeZone: 'UTC' },
        audience: { fact: 'homeStore', in: [store] },
      }),
    );
    const period = '2033-04-04T08:15:00.000Z';
    // The stopped run committed the households up to ids[99] (and every other store's before it),
    // then its lease ran out.
    await db.query(
      `INSERT INTO coupons.campaign_runs (rule_id, rule_version, occurrence, occurred_at, trigger, state, after_household_id)
       VALUES ($1, 1, '2033-04-04T08:15', $2, 'schedule', 'running', $3)`,
      [rule.id, period, ids[99]],
    );
    const cursor = `${rule.id}|1|2033-04-04T08:15|${ids[99]}`;
    await eventually(async () => {
      const claimed = await db.query(
        `INSERT INTO ${JOBS_TABLE} AS j (name, period, cursor, state, owner, lease_until, started_at)
         VALUES ($1, $2, $3, 'running', 'gone', now() - interval '1 second', now())
         ON CONFLICT (name) DO UPDATE
            SET period = EXCLUDED.period, cursor = EXCLUDED.cursor, state = 'running',
                owner = 'gone', lease_until = EXCLUDED.lease_until
          WHERE j.state = 'done' OR j.lease_until < now()
         RETURNING 1`,
        ['campaigns', period, cursor],
      );
      return claimed.length === 1;
    });

    expect(await app.get(JobRunner).trigger('campaigns', period)).toBe('done');

    expect((await offersOf(rule.id)).map((o) => o.shopper_id)).toEqual(ids.slice(100));
    const [job] = await db.query(`SELECT state, cursor FROM ${JOBS_TABLE} WHERE name = $1`, [
      'campaigns',
    ]);
    expect(job).toEqual({ state: 'done', cursor: `${rule.id}|1|2033-04-04T08:15|end` });
  });

  it("leaves a paused rule's run unfinished and resumes it once the rule is active again", async () => {
    const store = makeStore();
    const ids = await seed(Array.from({ length: 50 }, () => facts(store)));
    const rule = await activate(
      inYear(2039, {
        trigger: { kind: 'schedule', cron: '0 10 * * *', timeZone: 'UTC' },
        audience: { fact: 'homeStore', in: [store] },
      }),
    );
    // A run of the 10:00 occurrence stopped before its first chunk; the rule was paused since.
    await db.query(
      `INSERT INTO coupons.campaign_runs (rule_id, rule_version, occurrence, occurred_at, trigger, state)
       VALUES ($1, 1, '2039-02-01T10:00', '2039-02-01T10:00:00Z', 'schedule', 'running')`,
      [rule.id],
    );
    const status = (value: string) =>
      db.query(`UPDATE coupons.rule_states SET status = $2 WHERE rule_id = $1`, [rule.id, value]);
    await status('paused');
    await runAt('2039-02-01T10:05:00.000Z');
    expect(await offersOf(rule.id)).toEqual([]);

    await status('active');
    await runAt('2039-02-01T10:06:00.000Z');
    const offers = await offersOf(rule.id);
    expect(offers.map((o) => [o.shopper_id, o.period_key])).toEqual(
      ids.map((id) => [id, '2039-02-01T10:00']),
    );
  });

  it('gives a birthday offer once per household and year, on 28 February for 29 February in a common year', async () => {
    const store = makeStore();
    const [feb28, feb29, mar1] = [
      facts(store, { birthday: '02-28' }),
      facts(store, { birthday: '02-29' }),
      facts(store, { birthday: '03-01' }),
    ];
    const noConsent = facts(store, { birthday: '02-28', consent_personalised_offers: false });
    await seed([feb28, feb29, mar1, noConsent]);
    const rule = await activate(
      inYear(
        2034,
        {
          trigger: { kind: 'birthday', daysBefore: 2 },
          audience: { fact: 'homeStore', in: [store] },
        },
        2,
      ),
    );
    // Every day from 24 February to 3 March 2034 (a common year) at 07:00 in London, twice a day.
    const days = ['02-24', '02-25', '02-26', '02-27', '02-28', '03-01', '03-02', '03-03'];
    for (const day of days) {
      await runAt(`2034-${day}T07:00:00.000Z`);
      await runAt(`2034-${day}T07:01:00.000Z`);
    }
    // And once before CAMPAIGNS_DAILY_AT (06:00): nothing for that day yet.
    await runAt('2035-02-26T05:00:00.000Z');
    const issued = await offersOf(rule.id);
    const byHousehold = (id: string) =>
      issued
        .filter((o) => o.shopper_id === id)
        .map((o) => [o.period_key, o.issued_at.toISOString().slice(0, 10)]);
    expect(byHousehold(feb28.household_id)).toEqual([['2034', '2034-02-26']]);
    expect(byHousehold(feb29.household_id)).toEqual([['2034', '2034-02-26']]);
    expect(byHousehold(mar1.household_id)).toEqual([['2034', '2034-02-27']]);
    expect(byHousehold(noConsent.household_id)).toEqual([]);

    await runAt('2035-02-26T07:00:00.000Z');
    expect(await offersOf(rule.id)).toHaveLength(issued.length + 2);
  });

  it('issues lapse and lifecycle-transition campaigns on the day they name, from the segment named', async () => {
    const store = makeStore();
    const lapsed = facts(store, { facts_as_of: '2038-03-01', days_since_last_visit: 20 });
    const notYet = facts(store, { facts_as_of: '2038-03-01', days_since_last_visit: 18 });
    const lapsing = facts(store, { lifecycle: 'lapsing', lifecycle_since: '2038-03-11' });
    const earlier = facts(store, { lifecycle: 'lapsing', lifecycle_since: '2038-03-10' });
    const fromNew = facts(store, { lifecycle: 'lapsing', lifecycle_since: '2038-03-11' });
    await seed([lapsed, notYet, lapsing, earlier, fromNew]);
    // The transitions as pos-ingest publishes them, through the engine's consumer.
    const transitions: LifecycleChangedV1[] = [
      [lapsing, 'active', '2038-03-11'],
      [earlier, 'active', '2038-03-10'],
      [fromNew, 'new', '2038-03-11'],
    ].map(([household, from, on]) => ({
      eventId: randomUUID(),
      householdId: (household as ReturnType<typeof facts>).household_id,
      from: from as LifecycleSegment,
      to: 'lapsing',
      on: on as string,
    }));
    // Twice: a redelivery records nothing more.
    for (let i = 0; i < 2; i++)
      await produce(
        TOPICS.lifecycleChanged,
        transitions.map((t) => ({ key: t.householdId, value: JSON.stringify(t) })),
      );
    await eventually(async () => {
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM coupons.lifecycle_transitions WHERE household_id = ANY($1::uuid[])`,
        [transitions.map((t) => t.householdId)],
      );
      return n === 3;
    });
    const lapse = await activate(
      inYear(2038, {
        trigger: { kind: 'lapse', days: 30 },
        audience: { fact: 'homeStore', in: [store] },
      }),
    );
    const transition = await activate(
      inYear(2038, {
        trigger: { kind: 'lifecycleTransition', to: ['lapsing'] },
        audience: { fact: 'homeStore', in: [store] },
      }),
    );
    const fromActive = await activate(
      inYear(2038, {
        trigger: { kind: 'lifecycleTransition', from: ['active'], to: ['lapsing'] },
        audience: { fact: 'homeStore', in: [store] },
      }),
    );
    await runAt('2038-03-11T08:00:00.000Z');
    expect((await offersOf(lapse.id)).map((o) => [o.shopper_id, o.period_key])).toEqual([
      [lapsed.household_id, '2038-03-11'],
    ]);
    expect((await offersOf(transition.id)).map((o) => [o.shopper_id, o.period_key]).sort()).toEqual(
      [
        [lapsing.household_id, '2038-03-11'],
        [fromNew.household_id, '2038-03-11'],
      ].sort(),
    );
    expect((await offersOf(fromActive.id)).map((o) => [o.shopper_id, o.period_key])).toEqual([
      [lapsing.household_id, '2038-03-11'],
    ]);
  });

  it('holds out the control group share of 100,000 households, as isHeldOut draws it', async () => {
    const store = makeStore();
    await db.query(
      `INSERT INTO coupons.household_facts (household_id, home_store_id, consent_personalised_offers, household_version)
       SELECT gen_random_uuid(), $1, true, 1 FROM generate_series(1, 100000)`,
      [store],
    );
    const rule = await activate(
      inYear(2036, {
        trigger: { kind: 'schedule', cron: '0 7 * * *', timeZone: 'Europe/London' },
        audience: { fact: 'homeStore', in: [store] },
        controlShare: 0.2,
      }),
    );
    await runAt('2036-01-15T07:00:00.000Z');

    const [{ offers, holdouts }] = await db.query(
      `SELECT (SELECT count(*)::int FROM coupons.offers WHERE rule_id = $1) AS offers,
              (SELECT count(*)::int FROM coupons.holdouts WHERE rule_id = $1) AS holdouts`,
      [rule.id],
    );
    expect(offers + holdouts).toBe(100_000);
    expect(Math.abs(holdouts / 100_000 - 0.2)).toBeLessThan(0.015);
    const sample: { household_id: string; held: boolean }[] = await db.query(
      `SELECT f.household_id, h.household_id IS NOT NULL AS held
         FROM coupons.household_facts f
         LEFT JOIN coupons.holdouts h ON h.household_id = f.household_id AND h.rule_id = $1
        WHERE f.home_store_id = $2 LIMIT 2000`,
      [rule.id, store],
    );
    for (const { household_id, held } of sample)
      expect([household_id, held]).toEqual([household_id, isHeldOut(household_id, rule.id, 0.2)]);
  });
});
