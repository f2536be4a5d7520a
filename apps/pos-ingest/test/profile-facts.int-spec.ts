import {
  DEFAULT_LIFECYCLE_RULES,
  LifecycleChangedV1,
  ProfileChangedV2,
  TOPICS,
  Tier,
  TierState,
  WeekSums,
  addDays,
  averageBasketCents,
  birthdayInDays,
  daysSinceLastVisit,
  lifecycleSegment,
  localDate,
  nextTier,
  nextVisitDueOn,
  purchaseCadenceDays,
  quintileScores,
  quintileThresholds,
  productDueOn,
  repeatIntervalDays,
  rollingWindows,
  scoreByThresholds,
  weekStartOf,
} from '@loyalty/domain';
import { JobRunner, loadConfig, postgresOptions } from '@loyalty/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../src/config';
import { posIngestDatabase } from '../src/database/data-source';
import { ProfileFactsJob } from '../src/profiles/profile-facts.job';
import { JOBS_TABLE } from '../src/database/data-source';
import { ProfileFactsQueries } from '../src/profiles/profile-facts.queries';
import { createTestDatabase, dropTestDatabase } from '../../../test/support/test-database';

// The facts' SQL against the pure formulas over a table of seeded households. The population's
// RFM quintiles are over every household in the database, so this file has a database of its own.
jest.setTimeout(120_000);

const TIME_ZONE = 'Europe/London';
const config = loadConfig(PosIngestConfig, {
  ...process.env,
  PROGRAMME_TIME_ZONE: TIME_ZONE,
  PROFILE_FACTS_CHUNK: '100',
  TIER_SILVER_FROM_CENTS: '50000',
  TIER_GOLD_FROM_CENTS: '150000',
  TIER_REQUALIFICATION_DATE: '02-29',
});
const settings = config.profileFacts;
const queries = new ProfileFactsQueries(config);

interface Household {
  id: string;
  birthday: string | null;
  erased: boolean;
  firstVisitAt: Date | null;
  lastVisitAt: Date | null;
  /** Visit days, oldest first. */
  visitDays: string[];
  weeks: WeekSums[];
  prior: TierState;
}

// A seeded generator: the same households every run.
function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % n;
  };
}

const TIERS: Tier[] = ['bronze', 'silver', 'gold'];
const BIRTHDAYS = [null, '02-29', '02-28', '03-01', '03-31', '04-01', '12-31', '01-01'];

/** Visit days as the projector would have them; times spread over the day in London. */
function makeHousehold(days: string[], random: (n: number) => number): Household {
  const sorted = [...new Set(days)].sort();
  const byWeek = new Map<string, WeekSums>();
  for (const day of sorted) {
    const week = byWeek.get(weekStartOf(day)) ?? {
      weekStart: weekStartOf(day),
      spendCents: 0,
      visits: 0,
    };
    const visits = 1 + random(2);
    week.visits += visits;
    week.spendCents += visits * (500 + random(12_000));
    byWeek.set(week.weekStart, week);
  }
  // 23:30 UTC is the next day in London in summer: the SQL must take the London date.
  const at = (day: string) => new Date(`${day}T${random(2) === 0 ? '10:15' : '23:30'}:00Z`);
  const lastDay = sorted[sorted.length - 1];
  return {
    id: randomUUID(),
    birthday: BIRTHDAYS[random(BIRTHDAYS.length)],
    erased: false,
    firstVisitAt: sorted.length ? at(sorted[0]) : null,
    lastVisitAt: sorted.length ? at(lastDay) : null,
    visitDays: sorted,
    weeks: [...byWeek.values()],
    prior: {
      tier: TIERS[random(3)],
      tierSince: random(2) === 0 ? null : '2025-06-01',
      requalifiedOn: [null, '2025-02-28', '2026-02-28'][random(3)],
    },
  };
}

// As of Tuesday 31 March 2026, 09:00 London (BST since the 29th): week 1 starts Monday the 30th.
const AS_OF = new Date('2026-03-31T08:00:00Z');
const DAY = '2026-03-31';

function seedHouseholds(): Household[] {
  const random = generator(42);
  const households: Household[] = [];
  for (let i = 0; i < 230; i++) {
    // Visits every `every` days over `span` days ending `quiet` days ago.
    const every = 1 + random(20);
    const span = random(420);
    const quiet = random(90);
    const days: string[] = [];
    for (let back = quiet + span; back >= quiet; back -= every + random(3)) {
      days.push(addDays(DAY, -back));
    }
    households.push(makeHousehold(days, random));
  }
  // Boundaries: last visit 20/21/59/60 days ago, first visit 27/28 days ago, back after 60 days
  // 27/28 days ago, windows' edge weeks, a visit at 23:30 UTC before the DST change.
  const edge = (days: string[]) => {
    const household = makeHousehold(days, random);
    if (days.length > 0) {
      household.firstVisitAt = new Date(`${days[0]}T10:16:00Z`);
      household.lastVisitAt = new Date(`${days[days.length - 1]}T10:16:00Z`);
    }
    households.push(household);
  };
  for (const quiet of [20, 21, 59, 60]) edge([addDays(DAY, -quiet - 7), addDays(DAY, -quiet)]);
  for (const first of [27, 28]) edge([addDays(DAY, -first), addDays(DAY, -1)]);
  for (const back of [27, 28])
    edge([addDays(DAY, -back - 60), addDays(DAY, -back), addDays(DAY, -2)]);
  for (const weeks of [3, 4, 12, 13, 51, 52]) edge([addDays('2026-03-30', -7 * weeks)]);
  edge([]);
  const dst = makeHousehold(['2026-03-21', '2026-03-28'], random);
  dst.lastVisitAt = new Date('2026-03-28T23:30:00Z'); // 23:30 GMT on the 28th
  households.push(dst);
  // Erased: never refreshed, never published.
  const erased = makeHousehold([addDays(DAY, -3)], random);
  erased.erased = true;
  households.push(erased);
  return households;
}

async function insertHouseholds(db: DataSource, households: readonly Household[]): Promise<void> {
  await db.query(
    `INSERT INTO ingest.shoppers (id, registered, birthday, erased_at)
     SELECT id, true, birthday, CASE WHEN erased THEN now() END
       FROM jsonb_to_recordset($1::jsonb) AS h(id uuid, birthday text, erased boolean)`,
    [JSON.stringify(households)],
  );
  await db.query(
    `INSERT INTO ingest.shopper_profiles
       (shopper_id, lifetime_spend_cents, visits, first_visit_at, last_visit_at,
        spend_by_department_cents, points_balance, recent_visit_days, tier, tier_since,
        tier_requalified_on)
     SELECT id, 0, 0, "firstVisitAt", "lastVisitAt", '{}', 0,
            ARRAY(SELECT jsonb_array_elements_text("visitDays") ORDER BY 1 DESC LIMIT 26)::date[],
            prior->>'tier', (prior->>'tierSince')::date, (prior->>'requalifiedOn')::date
       FROM jsonb_to_recordset($1::jsonb)
         AS h(id uuid, "firstVisitAt" timestamptz, "lastVisitAt" timestamptz, "visitDays" jsonb, prior jsonb)`,
    [JSON.stringify(households)],
  );
  await db.query(
    `INSERT INTO ingest.shopper_weeks (shopper_id, week_start, spend_cents, visits)
     SELECT h.id, w."weekStart", w."spendCents", w.visits
       FROM jsonb_to_recordset($1::jsonb) AS h(id uuid, weeks jsonb)
      CROSS JOIN jsonb_to_recordset(h.weeks) AS w("weekStart" date, "spendCents" bigint, visits int)`,
    [JSON.stringify(households)],
  );
}

interface FactsRow {
  shopper_id: string;
  spend_4w_cents: string;
  visits_4w: number;
  spend_13w_cents: string;
  visits_13w: number;
  spend_52w_cents: string;
  visits_52w: number;
  average_basket_52w_cents: string | null;
  cadence_days: string | null;
  next_visit_due_on: string | null;
  days_since_last_visit: number | null;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  lifecycle: string | null;
  lifecycle_since: string | null;
  tier: string;
  tier_since: string | null;
  birthday_in_days: number | null;
  facts_as_of: string | null;
}

async function readFacts(db: DataSource): Promise<Map<string, FactsRow>> {
  const rows: FactsRow[] = await db.query(
    `SELECT shopper_id, spend_4w_cents, visits_4w, spend_13w_cents, visits_13w, spend_52w_cents,
            visits_52w, average_basket_52w_cents, cadence_days, next_visit_due_on::text,
            days_since_last_visit, r_score, f_score, m_score, lifecycle, lifecycle_since::text,
            tier, tier_since::text, birthday_in_days, facts_as_of::text
       FROM ingest.shopper_profiles`,
  );
  return new Map(rows.map((row) => [row.shopper_id, row]));
}

/** What the pure functions say, as the row would hold it. */
function expectedFacts(
  households: readonly Household[],
  asOf: Date,
  priors: ReadonlyMap<string, TierState> = new Map(),
) {
  const day = localDate(asOf, TIME_ZONE);
  const live = households.filter((h) => !h.erased);
  const base = live.map((h) => {
    const windows = rollingWindows(h.weeks, day);
    const recent = h.visitDays.slice(-26);
    const since = daysSinceLastVisit(h.lastVisitAt, asOf, TIME_ZONE);
    const cadence = purchaseCadenceDays(recent);
    return { h, windows, recent, since, cadence };
  });
  const population = base.filter((b) => b.since !== null);
  const r = quintileScores(population.map((b) => -(b.since as number)));
  const f = quintileScores(population.map((b) => b.windows.visits52w));
  const m = quintileScores(population.map((b) => b.windows.spend52wCents));
  const scores = new Map(population.map((b, i) => [b.h.id, [r[i], f[i], m[i]]]));
  return new Map(
    base.map(({ h, windows, recent, since, cadence }) => {
      const segment = lifecycleSegment(
        {
          asOf: day,
          firstVisitDay: h.firstVisitAt && localDate(h.firstVisitAt, TIME_ZONE),
          recentVisitDays: recent,
          daysSinceLastVisit: since,
          cadenceDays: cadence,
        },
        settings.lifecycle,
      );
      const prior = priors.get(h.id) ?? h.prior;
      const tier = nextTier(prior, windows.spend52wCents, day, settings.tiers);
      const [rScore, fScore, mScore] = scores.get(h.id) ?? [null, null, null];
      return [
        h.id,
        {
          spend_4w_cents: String(windows.spend4wCents),
          visits_4w: windows.visits4w,
          spend_13w_cents: String(windows.spend13wCents),
          visits_13w: windows.visits13w,
          spend_52w_cents: String(windows.spend52wCents),
          visits_52w: windows.visits52w,
          average_basket_52w_cents: nullableText(
            averageBasketCents(windows.spend52wCents, windows.visits52w),
          ),
          cadence_days: cadence === null ? null : cadence.toFixed(1),
          next_visit_due_on: nextVisitDueOn(recent[recent.length - 1] ?? null, cadence),
          days_since_last_visit: since,
          r_score: rScore,
          f_score: fScore,
          m_score: mScore,
          lifecycle: segment,
          tier: tier.tier,
          tier_since: tier.tierSince,
          birthday_in_days: birthdayInDays(h.birthday, day),
          facts_as_of: day,
        },
      ];
    }),
  );
}

function nullableText(value: number | null): string | null {
  return value === null ? null : String(value);
}

async function outboxSince(db: DataSource, id: string, topic: string) {
  const rows: { key: string; payload: unknown }[] = await db.query(
    `SELECT key, payload FROM ingest.outbox WHERE id > $1 AND topic = $2 ORDER BY id`,
    [id, topic],
  );
  return rows;
}

async function lastOutboxId(db: DataSource): Promise<string> {
  const [{ id }] = await db.query(`SELECT coalesce(max(id), 0)::text AS id FROM ingest.outbox`);
  return id;
}

describe('profile facts', () => {
  const databaseName = `loyalty_test_facts_${process.pid}_${Date.now()}`;
  let db: DataSource;
  const households = seedHouseholds();

  beforeAll(async () => {
    const url = await createTestDatabase(databaseName);
    db = await new DataSource(
      postgresOptions({ ...posIngestDatabase, databaseUrl: url, applicationName: 'test' }),
    ).initialize();
    await insertHouseholds(db, households);
  });

  afterAll(async () => {
    await db?.destroy();
    await dropTestDatabase(databaseName);
  });

  it('computes in one pass what the pure formulas say, and publishes every household once', async () => {
    const before = await lastOutboxId(db);
    const outcome = await db.transaction((m) => queries.refresh(m, AS_OF));

    const rows = await readFacts(db);
    const expected = expectedFacts(households, AS_OF);
    for (const [id, facts] of expected) {
      const row = rows.get(id);
      expect({ id, ...row }).toMatchObject({ id, ...facts });
    }
    const erased = households.find((h) => h.erased) as Household;
    expect(rows.get(erased.id)?.facts_as_of).toBeNull();

    expect(outcome.profileChanges).toBe(expected.size);
    const published = await outboxSince(db, before, TOPICS.profileChangedV2);
    expect(published).toHaveLength(expected.size);
    const one = published[0].payload as ProfileChangedV2;
    const row = rows.get(one.householdId) as FactsRow;
    expect(published[0].key).toBe(one.householdId);
    expect(one).toEqual({
      eventId: expect.any(String),
      householdId: row.shopper_id,
      factsAsOf: DAY,
      facts: {
        spend4wCents: Number(row.spend_4w_cents),
        visits4w: row.visits_4w,
        spend13wCents: Number(row.spend_13w_cents),
        visits13w: row.visits_13w,
        spend52wCents: Number(row.spend_52w_cents),
        visits52w: row.visits_52w,
        averageBasket52wCents: row.average_basket_52w_cents && Number(row.average_basket_52w_cents),
        cadenceDays: row.cadence_days && Number(row.cadence_days),
        nextVisitDueOn: row.next_visit_due_on,
        rScore: row.r_score,
        fScore: row.f_score,
        mScore: row.m_score,
        lifecycle: row.lifecycle,
        lifecycleSince: row.lifecycle_since,
        tier: row.tier,
        tierSince: row.tier_since,
        daysSinceLastVisit: row.days_since_last_visit,
        birthdayInDays: row.birthday_in_days,
      },
    });

    // Every household with a visit got its first segment, from none.
    const segmented = [...expected.values()].filter((f) => f.lifecycle !== null).length;
    expect(outcome.lifecycleChanges).toBe(segmented);
    const transitions = await outboxSince(db, before, TOPICS.lifecycleChanged);
    expect(transitions).toHaveLength(segmented);
    const first = transitions[0].payload as LifecycleChangedV1;
    expect(first).toEqual({
      eventId: expect.any(String),
      householdId: first.householdId,
      from: null,
      to: rows.get(first.householdId)?.lifecycle,
      on: DAY,
    });
    expect(rows.get(first.householdId)?.lifecycle_since).toBe(DAY);
  });

  it('publishes nothing when run again for the same day', async () => {
    const before = await lastOutboxId(db);
    const outcome = await db.transaction((m) => queries.refresh(m, AS_OF));
    expect(outcome).toEqual({ profileChanges: 0, lifecycleChanges: 0 });
    expect(await outboxSince(db, before, TOPICS.profileChangedV2)).toEqual([]);
  });

  it('publishes the next day exactly the households whose facts moved', async () => {
    const rowsBefore = await readFacts(db);
    const nextDay = new Date(AS_OF.getTime() + 86_400_000);
    const before = await lastOutboxId(db);
    const outcome = await db.transaction((m) => queries.refresh(m, nextDay));

    // Tiers go on from the day before's.
    const priors = new Map(
      [...rowsBefore.values()].map((row) => [
        row.shopper_id,
        { tier: row.tier as Tier, tierSince: row.tier_since, requalifiedOn: '2026-02-28' },
      ]),
    );
    const expected = expectedFacts(households, nextDay, priors);
    const rows = await readFacts(db);
    const moved = [...expected.entries()].filter(([id, facts]) => {
      const old = rowsBefore.get(id) as FactsRow;
      const {
        days_since_last_visit: _,
        birthday_in_days: __,
        facts_as_of: ___,
        ...compared
      } = facts;
      return Object.entries(compared).some(
        ([column, value]) => column !== 'tier_since' && old[column as keyof FactsRow] !== value,
      );
    });
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.length).toBeLessThan(expected.size);
    expect(outcome.profileChanges).toBe(moved.length);
    for (const [id, facts] of moved)
      expect({ id, ...rows.get(id) }).toMatchObject({ id, ...facts });
    const keys = (await outboxSince(db, before, TOPICS.profileChangedV2)).map((e) => e.key);
    expect(keys.sort()).toEqual(moved.map(([id]) => id).sort());

    // First visit 27 days before the 31st (new), the last 20: on the 1st, 21 days without a
    // visit make it lapsing.
    const lapsing = households.find(
      (h) =>
        h.lastVisitAt?.toISOString() === `${addDays(DAY, -20)}T10:16:00.000Z` &&
        h.visitDays.length === 2,
    ) as Household;
    expect(rows.get(lapsing.id)?.lifecycle).toBe('lapsing');
    const [transition] = await db.query(
      `SELECT from_segment, to_segment, on_date::text FROM ingest.lifecycle_transitions
        WHERE shopper_id = $1 ORDER BY id DESC LIMIT 1`,
      [lapsing.id],
    );
    expect(transition).toEqual({
      from_segment: 'new',
      to_segment: 'lapsing',
      on_date: '2026-04-01',
    });
  });

  it('scores a few households between passes by the thresholds the last pass saved', async () => {
    const nextDay = new Date(AS_OF.getTime() + 86_400_000);
    const [saved] = await db.query(
      `SELECT m2_cents, m3_cents, m4_cents, m5_cents FROM ingest.rfm_thresholds WHERE as_of = '2026-04-01'`,
    );
    const live = households.filter((h) => !h.erased && h.lastVisitAt !== null);
    const spends = live.map((h) => rollingWindows(h.weeks, '2026-04-01').spend52wCents);
    expect(Object.values(saved).map((v) => (v === null ? null : Number(v)))).toEqual(
      quintileThresholds(spends),
    );

    // A big week for one household: its monetary score follows the saved thresholds.
    const target = live[0];
    await db.query(
      `INSERT INTO ingest.shopper_weeks (shopper_id, week_start, spend_cents, visits)
       VALUES ($1, '2026-03-30', 5000000, 1)
       ON CONFLICT (shopper_id, week_start) DO UPDATE SET spend_cents = 5000000`,
      [target.id],
    );
    const week = target.weeks.find((w) => w.weekStart === '2026-03-30');
    target.weeks = [
      ...target.weeks.filter((w) => w !== week),
      { weekStart: '2026-03-30', spendCents: 5_000_000, visits: week?.visits ?? 1 },
    ];
    const outcome = await db.transaction((m) => queries.refresh(m, nextDay, [target.id]));
    expect(outcome.profileChanges).toBe(1);
    const row = (await readFacts(db)).get(target.id) as FactsRow;
    const thresholds = quintileThresholds(spends);
    expect(row.m_score).toBe(scoreByThresholds(Number(row.spend_52w_cents), thresholds));
    expect(row.m_score).toBe(5);
    expect(row.tier).toBe('gold');
  });

  it('reads the weekly sums again only where a writer marked them changed, or the week rolled over', async () => {
    const [marked, unmarked] = households
      .filter((h) => !h.erased && h.lastVisitAt !== null)
      .slice(1);
    const windowsIn = (row: FactsRow | undefined) =>
      row && [row.spend_4w_cents, row.visits_4w, row.spend_52w_cents, row.visits_52w].map(Number);
    const windowsOf = async (id: string) => windowsIn((await readFacts(db)).get(id));
    const expectedWindows = (h: Household, day: string) => {
      const w = rollingWindows(h.weeks, day);
      return [w.spend4wCents, w.visits4w, w.spend52wCents, w.visits52w];
    };
    const keptWindows = await windowsOf(unmarked.id);
    // Both get a new week; only one is marked, as every writer of the sums marks them.
    const newWeek = { weekStart: '2026-03-30', spendCents: 4321, visits: 2 };
    for (const h of [marked, unmarked]) {
      h.weeks = [...h.weeks.filter((w) => w.weekStart !== newWeek.weekStart), newWeek];
      await db.query(
        `INSERT INTO ingest.shopper_weeks (shopper_id, week_start, spend_cents, visits)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (shopper_id, week_start) DO UPDATE SET spend_cents = $3, visits = $4`,
        [h.id, newWeek.weekStart, newWeek.spendCents, newWeek.visits],
      );
    }
    await db.query(
      `UPDATE ingest.shopper_profiles SET windows_stale = true WHERE shopper_id = $1`,
      [marked.id],
    );

    await db.transaction((m) => queries.refresh(m, new Date('2026-04-02T12:00:00Z')));
    expect(await windowsOf(marked.id)).toEqual(expectedWindows(marked, '2026-04-02'));
    expect(await windowsOf(unmarked.id)).toEqual(keptWindows);
    const [{ stale }] = await db.query(
      `SELECT count(*)::int AS stale FROM ingest.shopper_profiles p
         JOIN ingest.shoppers s ON s.id = p.shopper_id
        WHERE p.windows_stale AND s.erased_at IS NULL`,
    );
    expect(stale).toBe(0);

    // The next Monday every window is read again, the unmarked household's change with it.
    await db.transaction((m) => queries.refresh(m, new Date('2026-04-06T12:00:00Z')));
    const rows = await readFacts(db);
    for (const h of households.filter((h) => !h.erased))
      expect([h.id, windowsIn(rows.get(h.id))]).toEqual([h.id, expectedWindows(h, '2026-04-06')]);
    expect(rows.get(unmarked.id)?.facts_as_of).toBe('2026-04-06');
  });

  it('runs nightly in chunks and resumes after the last chunk a stopped run committed', async () => {
    const runner = new JobRunner(db, { table: JOBS_TABLE });
    const job = new ProfileFactsJob(db, queries, config);
    runner.register(job);
    const ids: string[] = (await db.query(`SELECT id::text FROM ingest.shoppers ORDER BY id`)).map(
      (r: { id: string }) => r.id,
    );
    const period = '2026-04-05';
    // Every profile stale, and a run that stopped after the first chunk, its lease run out.
    await db.query(`UPDATE ingest.shopper_profiles SET facts_as_of = NULL`);
    await db.query(
      `INSERT INTO ingest.jobs (name, period, cursor, state, owner, lease_until, started_at)
       VALUES ($1, $2, $3, 'running', 'gone', now() - interval '1 second', now())`,
      [job.name, period, `after:${ids[99]}`],
    );

    expect(await runner.trigger(job.name, period)).toBe('done');

    const asOfDays: { facts_as_of: string | null }[] = await db.query(
      `SELECT p.facts_as_of::text FROM ingest.shopper_profiles p ORDER BY p.shopper_id`,
    );
    const erasedIndex = ids.indexOf((households.find((h) => h.erased) as Household).id);
    asOfDays.forEach((row, i) => {
      // The first chunk was the stopped run's: not done again.
      expect(row.facts_as_of).toBe(i < 100 || i === erasedIndex ? null : period);
    });
    const [state] = await db.query(`SELECT state, cursor FROM ingest.jobs WHERE name = $1`, [
      job.name,
    ]);
    expect(state).toEqual({ state: 'done', cursor: `after:${ids[ids.length - 1]}` });
    expect(DEFAULT_LIFECYCLE_RULES).toEqual(settings.lifecycle);
  });

  it("keeps each product's repeat interval and next due day as the pure formula says", async () => {
    const shopper = households[0].id;
    const products = [
      [1, '2026-01-01', '2026-01-01'],
      [2, '2026-01-01', '2026-01-11'],
      [3, '2026-01-01', '2026-01-10'],
      [4, '2026-01-01', '2026-01-11'],
      [7, '2025-12-30', '2026-03-02'],
    ] as const;
    await db.query(
      `INSERT INTO ingest.shopper_products
         (shopper_id, sku, department, spend_cents, units, purchases, first_bought_on, last_bought_on)
       SELECT $1, 'sku-' || p.purchases, 'GROCERY', 100, p.purchases, p.purchases, p.first, p.last
         FROM jsonb_to_recordset($2::jsonb) AS p(purchases int, first date, last date)`,
      [
        shopper,
        JSON.stringify(products.map(([purchases, first, last]) => ({ purchases, first, last }))),
      ],
    );
    const rows: {
      purchases: number;
      repeat_interval_days: string | null;
      next_due_on: string | null;
    }[] = await db.query(
      `SELECT purchases, repeat_interval_days, next_due_on::text FROM ingest.shopper_products
          WHERE shopper_id = $1 ORDER BY purchases`,
      [shopper],
    );
    expect(rows).toEqual(
      products.map(([purchases, first, last]) => {
        const product = { purchases, firstBoughtOn: first, lastBoughtOn: last };
        const interval = repeatIntervalDays(product);
        return {
          purchases,
          repeat_interval_days: interval === null ? null : interval.toFixed(1),
          next_due_on: productDueOn(product),
        };
      }),
    );
  });
});
