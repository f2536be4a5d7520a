import { Audience, LIFECYCLE_SEGMENTS, Rule, TIERS } from '@loyalty/domain';
import { OutboxRelay } from '@loyalty/kafka';
import { JobRunner, loadConfig, postgresOptions } from '@loyalty/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { DataSource } from 'typeorm';
import { CampaignIssuanceQueries } from '../../apps/coupon-engine/src/campaigns/campaign-issuance.queries';
import { CampaignsJob } from '../../apps/coupon-engine/src/campaigns/campaigns.job';
import { CouponEngineConfig } from '../../apps/coupon-engine/src/config';
import {
  JOBS_TABLE,
  couponEngineDatabase,
} from '../../apps/coupon-engine/src/database/data-source';
import { LiveRulesQuery } from '../../apps/coupon-engine/src/rules/live-rules.query';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

// `npm run bench:issuance`: a scheduled campaign over a million households on a scratch
// database, as the coupon engine's campaigns job runs it: one million rows of the engine's
// household facts copy (spend windows, lifecycle, tiers, stores, demographics, consent for about
// 70 %), fifty active rules (forty issued on profile changes, nine schedules not due, and the one
// campaign, matching about half the population, 10 % held out), timed from the job's claim until
// the offers, holdouts and outbox rows of the last chunk are committed.
// Environment: BENCH_HOUSEHOLDS (default 1,000,000), BENCH_KEEP_DATABASE (1: keep the database).

const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 1_000_000);
const FACTS_AS_OF = '2026-12-01';
// Wednesday 2 December 2026, 09:00 in London: the campaign's occurrence and the job's minute.
const PERIOD = '2026-12-02T09:00:00.000Z';

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

const listOf = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(',')}]`;

async function generate(ds: DataSource): Promise<void> {
  const started = Date.now();
  // Per household: a yearly spend drawn skewed towards small (most shop little, a few a lot),
  // the shorter windows a share of it, visits from a basket of 10-60 (cents), the days since the
  // last visit skewed towards recent; lifecycle, tier and scores follow the spend.
  await ds.query(
    `INSERT INTO coupons.household_facts
       (household_id, facts_as_of, spend_4w_cents, visits_4w, spend_13w_cents, visits_13w,
        spend_52w_cents, visits_52w, average_basket_52w_cents, days_since_last_visit,
        r_score, f_score, m_score, lifecycle, lifecycle_since, tier, tier_since, birthday,
        enrolled_on, home_store_id, region, age_band, household_size, income_band,
        consent_personalised_offers, household_version)
     SELECT id, date '${FACTS_AS_OF}',
            round(s52 * w4), round(v52 * w4), round(s52 * w13), round(v52 * w13), s52, v52,
            CASE WHEN v52 > 0 THEN s52 / v52 END, CASE WHEN v52 > 0 THEN days END,
            CASE WHEN v52 > 0 THEN 5 - least(4, days / 30) END,
            CASE WHEN v52 > 0 THEN 1 + least(4, v52 / 25) END,
            CASE WHEN v52 > 0 THEN 1 + least(4, s52 / 100000) END,
            (${listOf(LIFECYCLE_SEGMENTS)})[1 + CASE WHEN v52 = 0 THEN 0 WHEN days > 180 THEN 3
                                                 WHEN days > 45 THEN 2 ELSE 1 + (g % 7 = 0)::int * 3 END],
            date '${FACTS_AS_OF}' - (g % 200),
            (${listOf(TIERS)})[1 + (s52 > 150000)::int + (s52 > 400000)::int],
            date '2026-01-01' + (g % 300),
            CASE WHEN g % 5 <> 0 THEN to_char(date '2000-01-01' + ((g::bigint * 7919) % 366)::int, 'MM-DD') END,
            date '2018-01-01' + (g % 3000),
            'store-' || (g % 250), 'region-' || (g % 12),
            (ARRAY['18-24','25-34','35-44','45-54','55-64','65+'])[1 + g % 6],
            1 + (g % 6),
            (ARRAY['under-20k','20k-40k','40k-60k','60k-100k','100k+'])[1 + (g / 7) % 5],
            random() < 0.7, 1
       FROM (SELECT g, md5('household-' || g)::uuid AS id,
                    CASE WHEN random() < 0.12 THEN 0 ELSE round(600000 * random() ^ 2.5)::bigint END AS s52,
                    0.1 + 0.15 * random() AS w4, 0.2 + 0.2 * random() AS w13,
                    round(365 * random() ^ 3)::int AS days
               FROM generate_series(1, $1::int) g) d
      CROSS JOIN LATERAL (SELECT CASE WHEN s52 = 0 THEN 0
                                      ELSE greatest(1, s52 / (1000 + (g % 50) * 100)) END::int AS v52) v`,
    [HOUSEHOLDS],
  );
  await ds.query(`ANALYZE coupons.household_facts`);
  log(`household facts: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const rule = (overrides: Partial<Rule>): Rule => ({
  schemaVersion: 1,
  id: randomUUID(),
  name: 'Bench',
  trigger: { kind: 'profileChange' },
  audience: 'everyone',
  reward: { kind: 'amountOff', amountCents: 200, target: { basket: true } },
  validity: { from: '2026-11-01T00:00:00Z', until: '2027-03-01T00:00:00Z' },
  offerValidDays: 14,
  usesPerOffer: 1,
  priority: 10,
  stacking: 'stackable',
  controlShare: 0,
  ...overrides,
});

/** Forty profile-change rules and nine schedules with no occurrence in the last day. */
function otherRules(): Rule[] {
  const audiences: Audience[] = [
    { fact: 'spend', window: '4w', atLeast: 5_000 },
    {
      all: [
        { fact: 'tier', in: ['gold'] },
        { fact: 'visits', window: '13w', atLeast: 6 },
      ],
    },
    {
      any: [
        { fact: 'lifecycle', in: ['lapsing'] },
        { fact: 'daysSinceLastVisit', atLeast: 40 },
      ],
    },
    { all: [{ fact: 'region', in: ['region-3'] }, { not: { fact: 'ageBand', in: ['18-24'] } }] },
    { fact: 'birthday', withinDays: 7 },
  ];
  const crons = ['0 9 1 1 *', '0 9 * 6 *', '30 4 29 2 *', '0 8 1 7 *', '15 10 * 8 1'];
  return Array.from({ length: 49 }, (_, i) =>
    rule({
      name: `Bench ${i}`,
      audience: audiences[i % audiences.length],
      ...(i >= 40
        ? {
            trigger: { kind: 'schedule', cron: crons[i % crons.length], timeZone: 'Europe/London' },
          }
        : {}),
    }),
  );
}

/** Half the population, about: consenting households that shopped in the year, but lapsed ones. */
const campaign = rule({
  name: 'Wednesday campaign',
  trigger: { kind: 'schedule', cron: '0 9 * * 3', timeZone: 'Europe/London' },
  audience: {
    all: [
      { fact: 'visits', window: '52w', atLeast: 1 },
      { not: { fact: 'lifecycle', in: ['lapsed'] } },
    ],
  },
  reward: { kind: 'percentOff', percent: 10, target: { department: 'produce' } },
  controlShare: 0.1,
});

async function activate(ds: DataSource, all: readonly Rule[]): Promise<void> {
  await ds.query(
    `INSERT INTO coupons.rule_versions (rule_id, version, definition)
     SELECT (d ->> 'id')::uuid, 1, d FROM jsonb_array_elements($1::jsonb) d`,
    [JSON.stringify(all)],
  );
  await ds.query(
    `INSERT INTO coupons.rule_states (rule_id, revision, status, version, changed_at)
     SELECT rule_id, 1, 'active', 1, now() FROM coupons.rule_versions`,
  );
}

async function main(): Promise<void> {
  const databaseName = `loyalty_bench_issuance_${Date.now()}`;
  let ds: DataSource | null = null;
  let seconds = NaN;
  try {
    const databaseUrl = await createTestDatabase(databaseName);
    ds = await new DataSource(
      postgresOptions({ ...couponEngineDatabase, databaseUrl, applicationName: 'bench' }),
    ).initialize();
    const config = loadConfig(CouponEngineConfig, {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: '127.0.0.1:9092',
      JWT_SECRET: randomBytes(32).toString('hex'),
    });
    log(
      `machine: ${cpus().length} cores; Node ${process.version}; ${HOUSEHOLDS} households; chunks of ${config.CAMPAIGNS_CHUNK}`,
    );
    await generate(ds);
    await activate(ds, [...otherRules(), campaign]);
    const [{ consenting }] = await ds.query(
      `SELECT count(*) FILTER (WHERE consent_personalised_offers)::int AS consenting FROM coupons.household_facts`,
    );
    log(`${consenting} households consent to personalised offers; 50 active rules`);

    // The relay is not part of the run: it is woken after each chunk and sends the rows later.
    const relay = { wake: () => undefined } as unknown as OutboxRelay;
    const runner = new JobRunner(ds, { table: JOBS_TABLE });
    runner.register(
      new CampaignsJob(ds, new LiveRulesQuery(), new CampaignIssuanceQueries(), relay, config),
    );
    const started = process.hrtime.bigint();
    const outcome = await runner.trigger('campaigns', PERIOD);
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (outcome !== 'done') throw new Error(`The run for ${PERIOD} ended ${outcome}`);

    const [counts] = await ds.query(
      `SELECT (SELECT count(*)::int FROM coupons.offers) AS offers,
              (SELECT count(*)::int FROM coupons.holdouts) AS holdouts,
              (SELECT count(*)::int FROM coupons.outbox) AS outbox,
              (SELECT count(DISTINCT period_key)::int FROM coupons.offers) AS periods`,
    );
    log(
      `campaign for ${PERIOD}: ${seconds.toFixed(1)} s; ${counts.offers} offers, ${counts.holdouts} held out ` +
        `(${counts.offers + counts.holdouts} matched), ${counts.outbox} outbox rows, ${counts.periods} period`,
    );
    if (counts.offers !== counts.outbox) throw new Error('Every offer has its outbox row');
  } finally {
    await ds?.destroy();
    if (process.env.BENCH_KEEP_DATABASE === '1') log(`kept database ${databaseName}`);
    else await dropTestDatabase(databaseName);
  }
  console.log(`RESULT campaign_1m_s=${seconds.toFixed(1)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
