import {
  Audience,
  LIFECYCLE_SEGMENTS,
  PosTransaction,
  Rule,
  TIERS,
  householdIdForCard,
  localDate,
} from '@loyalty/domain';
import { OutboxRelay } from '@loyalty/kafka';
import { JobRunner, loadConfig, postgresOptions } from '@loyalty/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { CampaignIssuanceQueries } from '../../apps/coupon-engine/src/campaigns/campaign-issuance.queries';
import { CampaignsJob } from '../../apps/coupon-engine/src/campaigns/campaigns.job';
import { CouponEngineConfig } from '../../apps/coupon-engine/src/config';
import {
  JOBS_TABLE,
  couponEngineDatabase,
} from '../../apps/coupon-engine/src/database/data-source';
import { loyaltyApiDatabase } from '../../apps/loyalty-api/src/database/data-source';
import { LiveRulesQuery } from '../../apps/coupon-engine/src/rules/live-rules.query';
import { AppProcess } from '../support/app-process';
import { kafkaForApps, stopDevKafka } from '../support/dev-kafka';
import { makeCardNumber, makeTransaction } from '../support/factories';
import { createTerminal } from '../support/terminals';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

// `npm run bench:issuance`: the issue's two figures on a scratch database, with the three apps
// running as processes and the mock broker (or KAFKA_BROKERS).
// 1. A scheduled campaign over a million households, run by the coupon engine's campaigns job
//    here (its clock starts with the job's claim): one million rows of the engine's household
//    facts copy (spend windows, lifecycle, tiers, stores, demographics, consent to personalised
//    offers for about 70 %, those registered in loyalty-api's record, two in three of them
//    agreeing to email), fifty active rules (forty issued on profile changes, nine schedules not
//    due, and the campaign, matching about half the population, 10 % held out). Timed until the
//    offers, holdouts and outbox rows of the last chunk are committed, and until loyalty-api's
//    wallet holds every offer (the coupon-engine process relays them; loyalty-api stores them and
//    queues the messages).
// 2. Swipe-to-offer: a steady rate of swipes posted to pos-ingest's intake, each a household's
//    second visit, matching the second-visit rule; from the intake's receipt to the offer's issue.
// Environment: BENCH_HOUSEHOLDS (default 1,000,000), BENCH_SWIPE_RATE (1,000 a second),
// BENCH_SWIPE_SECONDS (20), BENCH_KEEP_DATABASE (1: keep the database), BENCH_PROGRESS (1: log
// the counts waited for).

const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 1_000_000);
const SWIPE_RATE = Number(process.env.BENCH_SWIPE_RATE ?? 1_000);
const SWIPE_SECONDS = Number(process.env.BENCH_SWIPE_SECONDS ?? 20);
const SWIPE_STORES = 10;
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
        enrolled_on, home_store_id, age_band, household_size, income_band,
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
            'store-' || (g % 250),
            (ARRAY['18-24','25-34','35-44','45-54','55-64','65+'])[1 + g % 6],
            1 + (g % 6),
            (ARRAY['under-20k','20k-40k','40k-60k','60k-100k','100k+'])[1 + (g / 7) % 5],
            random() < 0.7, 1
       FROM (SELECT g, gen_random_uuid() AS id,
                    CASE WHEN random() < 0.12 THEN 0 ELSE round(600000 * random() ^ 2.5)::bigint END AS s52,
                    0.1 + 0.15 * random() AS w4, 0.2 + 0.2 * random() AS w13,
                    round(365 * random() ^ 3)::int AS days
               FROM generate_series(1, $1::int) g) d
      CROSS JOIN LATERAL (SELECT CASE WHEN s52 = 0 THEN 0
                                      ELSE greatest(1, s52 / (1000 + (g % 50) * 100)) END::int AS v52) v`,
    [HOUSEHOLDS],
  );
  // The store register's regions as the engine copies them: 250 stores in 12 regions.
  await ds.query(
    `INSERT INTO coupons.store_regions (store_id, region, version)
     SELECT 'store-' || s, 'region-' || (s % 12), 1 FROM generate_series(0, 249) s`,
  );
  // loyalty-api's record of the consenting households, about two in three agreeing to email too:
  // the wallet queues their offer messages as it stores the offers.
  await ds.query(
    `INSERT INTO loyalty.households (id, registered, enrolled_at, version)
     SELECT household_id, true, enrolled_on, 1 FROM coupons.household_facts
      WHERE consent_personalised_offers`,
  );
  await ds.query(
    `INSERT INTO loyalty.consents (household_id, purpose, granted, changed_at)
     SELECT id, purpose, purpose = 'personalisedOffers' OR random() < 0.67, enrolled_at
       FROM loyalty.households CROSS JOIN unnest(ARRAY['personalisedOffers', 'email']) purpose`,
  );
  await ds.query(`ANALYZE coupons.household_facts`);
  await ds.query(`ANALYZE loyalty.households`);
  await ds.query(`ANALYZE loyalty.consents`);
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

/** Issued on a household's second visit in four weeks: every swipe of the latency run earns it. */
const comeBack = rule({
  name: 'Second visit',
  audience: { fact: 'visits', window: '4w', atLeast: 2 },
});

/** Forty profile-change rules (the second-visit one among them) and nine schedules not due. */
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
  const others = Array.from({ length: 48 }, (_, i) =>
    rule({
      name: `Bench ${i}`,
      audience: audiences[i % audiences.length],
      ...(i >= 39
        ? {
            trigger: { kind: 'schedule', cron: crons[i % crons.length], timeZone: 'Europe/London' },
          }
        : {}),
    }),
  );
  return [comeBack, ...others];
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

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Polls `count` until it reaches `target` (true), or until it stands still for a minute (false,
 * or an error when `stalled` is 'throw').
 */
async function waitForCount(
  what: string,
  count: () => Promise<number>,
  target: number,
  stalled: 'throw' | 'report' = 'throw',
): Promise<boolean> {
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const n = await count();
    if (n >= target) return true;
    if (n !== last) movedAt = Date.now();
    if (process.env.BENCH_PROGRESS === '1') log(`${what}: ${n}/${target}`);
    if (Date.now() - movedAt > 60_000) {
      if (stalled === 'throw') throw new Error(`${what} stalled at ${n}/${target}`);
      log(`${what} stalled at ${n}/${target}`);
      return false;
    }
    last = n;
    await sleep(200);
  }
}

/**
 * The campaign, from the job's claim: until its offers are committed in the coupon engine's table,
 * and until loyalty-api's wallet holds them (coupon-engine's relay sends the outbox, loyalty-api's
 * wallet consumer stores them).
 */
async function campaignRun(
  ds: DataSource,
  config: CouponEngineConfig,
): Promise<{ seconds: number; walletSeconds: number }> {
  // The coupon-engine process's relay sends the rows: it polls the outbox every 250 ms.
  const relay = { wake: () => undefined } as unknown as OutboxRelay;
  const runner = new JobRunner(ds, { table: JOBS_TABLE });
  runner.register(
    new CampaignsJob(ds, new LiveRulesQuery(), new CampaignIssuanceQueries(), relay, config),
  );
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const outcome = await runner.trigger('campaigns', PERIOD);
  const seconds = elapsed();
  if (outcome !== 'done') throw new Error(`The run for ${PERIOD} ended ${outcome}`);
  const [counts] = await ds.query(
    `SELECT (SELECT count(*)::int FROM coupons.offers) AS offers,
            (SELECT count(*)::int FROM coupons.holdouts) AS holdouts,
            (SELECT count(DISTINCT period_key)::int FROM coupons.offers) AS periods`,
  );
  log(
    `campaign for ${PERIOD}: ${seconds.toFixed(1)} s; ${counts.offers} offers, ${counts.holdouts} held out ` +
      `(${counts.offers + counts.holdouts} matched), ${counts.periods} period`,
  );
  const countWallet = async () =>
    (await ds.query(`SELECT count(*)::int AS n FROM loyalty.offers`))[0].n as number;
  // The mock broker keeps ~5 MB per partition: when the relay runs ahead of the wallet by more,
  // the broker drops what the wallet has not read, and the wallet never holds them all.
  if (!(await waitForCount('the wallet', countWallet, counts.offers, 'report'))) {
    const [pace] = await ds.query(
      `SELECT count(*)::int AS offers,
              extract(epoch FROM max(received_at) - min(received_at))::float AS seconds
         FROM loyalty.offers`,
    );
    log(
      `the wallet took ${pace.offers} offers in ${pace.seconds.toFixed(1)} s ` +
        `(${(pace.offers / pace.seconds).toFixed(0)}/s) before the broker dropped the rest`,
    );
    return { seconds, walletSeconds: NaN };
  }
  const walletSeconds = elapsed();
  log(`the wallet holds the ${counts.offers} offers ${walletSeconds.toFixed(1)} s after the claim`);
  return { seconds, walletSeconds };
}

/**
 * The floor of the campaign's writes, in the same run: the campaign's offers copied into a table
 * like `coupons.offers` (its indexes and constraints included) and an outbox row of the same size
 * written for each, two plain statements, no audience, no control group, no conflict check.
 */
async function writeFloor(ds: DataSource): Promise<number> {
  await ds.query(`CREATE TABLE coupons.floor_offers (LIKE coupons.offers INCLUDING ALL)`);
  await ds.query(`CREATE TABLE coupons.floor_outbox (LIKE coupons.outbox INCLUDING ALL)`);
  const started = process.hrtime.bigint();
  await ds.transaction(async (m) => {
    await m.query(`INSERT INTO coupons.floor_offers SELECT * FROM coupons.offers`);
    await m.query(
      `INSERT INTO coupons.floor_outbox (topic, key, payload)
       SELECT 'floor', shopper_id::text,
              jsonb_build_object('offerId', id, 'code', code, 'householdId', shopper_id,
                                 'ruleId', rule_id, 'ruleVersion', rule_version, 'reward', reward,
                                 'validFrom', valid_from, 'validUntil', valid_until,
                                 'issuedAt', issued_at, 'reason', reason,
                                 'terms', jsonb_build_object('usesPerOffer', 1, 'stores', NULL,
                                   'priority', 10, 'stacking', 'stackable',
                                   'stackingGroup', NULL, 'budgetCents', NULL))
         FROM coupons.offers`,
    );
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await ds.query(`DROP TABLE coupons.floor_offers, coupons.floor_outbox`);
  return seconds;
}

/** Posts `receipts` to the intake, one request per store that has some. */
async function postByStore(
  url: string,
  keys: ReadonlyMap<string, string>,
  receipts: readonly PosTransaction[],
): Promise<void> {
  await Promise.all(
    [...keys].map(async ([store, key]) => {
      const ofStore = receipts.filter((r) => r.storeId === store);
      if (ofStore.length > 0) await postBulk(url, key, ofStore);
    }),
  );
}

/** A receipt of `cardNumber` at `storeId`, made now. */
function swipe(posTransactionId: string, storeId: string, cardNumber: string): PosTransaction {
  const now = new Date();
  return makeTransaction({
    posTransactionId,
    storeId,
    cardNumber,
    businessDate: localDate(now, 'Europe/London'),
    occurredAt: now.toISOString(),
  });
}

const countOf = async (ds: DataSource, sql: string, params: unknown[]) =>
  (await ds.query(sql, params))[0].n as number;

/**
 * Swipe-to-offer at a steady rate: SWIPE_RATE receipts a second for SWIPE_SECONDS, each by a
 * household consenting to personalised offers that shopped once before (its first visit posted
 * and projected beforehand, in steps the projector keeps up with), so each swipe is a second
 * visit in four weeks and earns the second-visit offer. Posted to pos-ingest's bulk intake every
 * 100 ms, one request per store (as lanes back online do); the latency is from the intake's
 * receipt of the transaction (`received_at`) to the offer's issue in the coupon engine
 * (`issued_at`).
 */
async function swipeRun(
  ds: DataSource,
  databaseUrl: string,
  posIngest: AppProcess,
): Promise<{ p50: number; p99: number }> {
  const total = SWIPE_RATE * SWIPE_SECONDS;
  const cards = Array.from({ length: total }, () => makeCardNumber());
  // The households' copy as loyalty-api's household-changed events leave it: enrolled, consenting.
  await ds.query(
    `INSERT INTO coupons.household_facts (household_id, consent_personalised_offers, household_version)
     SELECT unnest($1::uuid[]), true, 1`,
    [cards.map(householdIdForCard)],
  );
  const stores = Array.from({ length: SWIPE_STORES }, (_, s) => `swipe-store-${s}`);
  const keys = new Map<string, string>();
  const loyalty = await new DataSource(
    postgresOptions({ ...loyaltyApiDatabase, databaseUrl, applicationName: 'bench' }),
  ).initialize();
  for (const store of stores) keys.set(store, await createTerminal(loyalty, store, 'lane-1'));
  await loyalty.destroy();

  const firstStarted = Date.now();
  const step = 500;
  for (let i = 0; i < total; i += step) {
    const firsts = cards
      .slice(i, i + step)
      .map((card, j) => swipe(`first-${i + j}`, stores[j % stores.length], card));
    await postByStore(posIngest.url, keys, firsts);
    await waitForCount(
      'the first visits',
      () =>
        countOf(
          ds,
          `SELECT count(*)::int AS n FROM ingest.transactions WHERE pos_transaction_id LIKE 'first-%'`,
          [],
        ),
      i + firsts.length,
    );
  }
  // Their facts reached the coupon engine's copy: the next visit is the second.
  await waitForCount(
    'the first visits in the coupon engine',
    () =>
      countOf(
        ds,
        `SELECT count(*)::int AS n FROM coupons.household_facts
          WHERE household_id = ANY($1::uuid[]) AND visits_4w >= 1`,
        [cards.map(householdIdForCard)],
      ),
    total,
  );
  log(`first visits: ${total} in ${((Date.now() - firstStarted) / 1000).toFixed(1)} s`);

  const perTick = SWIPE_RATE / 10;
  const started = Date.now();
  const posts: Promise<void>[] = [];
  for (let tick = 0; tick * perTick < total; tick++) {
    const due = started + tick * 100;
    if (due > Date.now()) await sleep(due - Date.now());
    const receipts = cards
      .slice(tick * perTick, (tick + 1) * perTick)
      .map((card, i) => swipe(`swipe-${tick}-${i}`, stores[i % stores.length], card));
    posts.push(postByStore(posIngest.url, keys, receipts));
  }
  await Promise.all(posts);
  const offered = (Date.now() - started) / 1000;
  log(
    `swipes: ${total} receipts posted in ${offered.toFixed(1)} s (${(total / offered).toFixed(0)}/s)`,
  );
  await waitForCount(
    'the second-visit offers',
    () =>
      countOf(ds, `SELECT count(*)::int AS n FROM coupons.offers WHERE rule_id = $1`, [
        comeBack.id,
      ]),
    total,
  );
  const rows: { ms: string }[] = await ds.query(
    `SELECT extract(epoch FROM (o.issued_at - t.received_at)) * 1000 AS ms
       FROM ingest.transactions t
       JOIN coupons.offers o ON o.shopper_id = t.shopper_id AND o.rule_id = $1
      WHERE t.pos_transaction_id LIKE 'swipe-%'`,
    [comeBack.id],
  );
  const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  if (latencies.length !== total) throw new Error(`${latencies.length} swipes have their offer`);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function postBulk(url: string, apiKey: string, receipts: readonly PosTransaction[]) {
  const response = await fetch(`${url}/v1/transactions/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-api-key': apiKey },
    body: receipts.map((r) => JSON.stringify(r)).join('\n'),
  });
  const result = (await response.json()) as { accepted?: number };
  if (response.status !== 200 || result.accepted !== receipts.length)
    throw new Error(
      `bulk upload failed: ${response.status} ${JSON.stringify(result).slice(0, 300)}`,
    );
}

async function main(): Promise<void> {
  const databaseName = `loyalty_bench_issuance_${Date.now()}`;
  const kafka = await kafkaForApps();
  const apps: AppProcess[] = [];
  let ds: DataSource | null = null;
  try {
    const databaseUrl = await createTestDatabase(databaseName);
    const env = {
      DATABASE_URL: databaseUrl,
      ...kafka.env,
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
      STORE_REQUESTS_PER_MINUTE: '1000000',
    };
    // Each app migrates its schema as it starts. The campaign is run here, by the job itself,
    // so that its clock starts with the claim: the apps' own job runners are off, but pos-ingest's
    // (its profile facts jobs run as in production).
    apps.push(
      ...(await Promise.all([
        AppProcess.start('pos-ingest', env),
        AppProcess.start('loyalty-api', { ...env, JOBS_ENABLED: 'false' }),
        AppProcess.start('coupon-engine', { ...env, JOBS_ENABLED: 'false' }),
      ])),
    );
    ds = await new DataSource(
      postgresOptions({ ...couponEngineDatabase, databaseUrl, applicationName: 'bench' }),
    ).initialize();
    const config = loadConfig(CouponEngineConfig, { ...process.env, ...env });
    log(
      `machine: ${cpus().length} cores; Node ${process.version}; ${HOUSEHOLDS} households; chunks of ${config.CAMPAIGNS_CHUNK}; ` +
        `broker ${kafka.devKafka ? 'librdkafka mock (kcat)' : kafka.env.KAFKA_BROKERS}`,
    );
    await generate(ds);
    await activate(ds, [...otherRules(), campaign]);
    const [{ consenting }] = await ds.query(
      `SELECT count(*) FILTER (WHERE consent_personalised_offers)::int AS consenting FROM coupons.household_facts`,
    );
    log(`${consenting} households consent to personalised offers; 50 active rules`);

    const { seconds, walletSeconds } = await campaignRun(ds, config);
    const floor = await writeFloor(ds);
    log(
      `floor: the same offers and outbox rows written by two plain statements in ${floor.toFixed(1)} s ` +
        `(the campaign takes ${(seconds / floor).toFixed(1)}x)`,
    );
    const swipe = await swipeRun(ds, databaseUrl, apps[0]);
    log(
      `swipe-to-offer at ${SWIPE_RATE}/s for ${SWIPE_SECONDS} s: p50 ${swipe.p50.toFixed(0)} ms, p99 ${swipe.p99.toFixed(0)} ms`,
    );
    console.log(
      `RESULT campaign_1m_s=${seconds.toFixed(1)} campaign_1m_wallet_s=${walletSeconds.toFixed(1)} swipe_to_offer_p99_ms=${swipe.p99.toFixed(0)}`,
    );
  } catch (error) {
    // The apps log warnings and errors only: what went wrong on their side, briefly.
    for (const app of apps) log(`${app.name}'s log ends:\n${app.log().slice(-3_000)}`);
    throw error;
  } finally {
    await ds?.destroy();
    await Promise.all(apps.map((app) => app.stop()));
    if (kafka.devKafka) stopDevKafka(kafka.devKafka);
    if (process.env.BENCH_KEEP_DATABASE === '1') log(`kept database ${databaseName}`);
    else await dropTestDatabase(databaseName);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
