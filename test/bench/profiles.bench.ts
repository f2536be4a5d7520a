import { TOPICS, addDays } from '@loyalty/domain';
import { JobRunner, loadConfig, postgresOptions } from '@loyalty/platform';
import { parse } from 'csv-parse/sync';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../../apps/pos-ingest/src/config';
import { posIngestDatabase } from '../../apps/pos-ingest/src/database/data-source';
import { ProfileFactsJob } from '../../apps/pos-ingest/src/profiles/profile-facts.job';
import { JOBS_TABLE } from '../../apps/pos-ingest/src/database/data-source';
import { ProfileFactsQueries } from '../../apps/pos-ingest/src/profiles/profile-facts.queries';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

// `npm run bench:profiles`: the nightly profile-facts pass (windows, RFM over the population,
// lifecycle, tier, birthday) over a million households with a year of weekly sums, on a scratch
// database, as the job runs it: for the day after the history ends, then the days after (the
// median of these runs is the nightly figure), then for the next Monday, when every window moves.
// Each household follows one Complete Journey household of the sample: the share of weeks it
// shops in, its baskets per such week and its basket value (each drawn again per week, ±50%).
// Environment: BENCH_HOUSEHOLDS (default 1,000,000), BENCH_RUNS (default 3), BENCH_KEEP_DATABASE
// (1: keep the scratch database to look into afterwards).

const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// The history ends on a Tuesday: the runs for the days after stay in the same week.
const HISTORY_ENDS = '2026-12-01';
const CURRENT_WEEK = '2026-11-30';
const NEXT_MONDAY = '2026-12-07';
const DATA = join(__dirname, '..', 'data', 'completejourney', 'transactions_sample_100k.csv.gz');

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

interface ShopperShape {
  weekShare: number;
  basketsPerWeek: number;
  basketCents: number;
}

/** Per Complete Journey household: share of the 53 weeks shopped, baskets per such week, value. */
function completeJourneyShapes(): ShopperShape[] {
  const rows: Record<string, string>[] = parse(gunzipSync(readFileSync(DATA)), {
    columns: true,
    skip_empty_lines: true,
  });
  const households = new Map<string, { weeks: Set<string>; baskets: Set<string>; cents: number }>();
  for (const row of rows) {
    const h = households.get(row.household_id) ?? {
      weeks: new Set(),
      baskets: new Set(),
      cents: 0,
    };
    h.weeks.add(row.week);
    h.baskets.add(row.basket_id);
    h.cents += Math.round(Number(row.sales_value) * 100);
    households.set(row.household_id, h);
  }
  return [...households.values()].map((h) => ({
    weekShare: h.weeks.size / 53,
    basketsPerWeek: h.baskets.size / h.weeks.size,
    basketCents: Math.max(1, Math.round(h.cents / h.baskets.size)),
  }));
}

/** `work` over `parts` household id ranges at once, one connection each. */
async function inParts(
  ds: DataSource,
  parts: number,
  work: (low: string, high: string) => string,
): Promise<void> {
  const bounds = Array.from({ length: parts + 1 }, (_, i) =>
    i === parts
      ? 'ffffffff-ffff-ffff-ffff-ffffffffffff'
      : `${Math.floor((i * 0x100000000) / parts)
          .toString(16)
          .padStart(8, '0')}-0000-0000-0000-000000000000`,
  );
  await Promise.all(
    bounds
      .slice(0, parts)
      .map((low, i) => ds.query(work(`'${low}'::uuid`, `'${bounds[i + 1]}'::uuid`))),
  );
}

async function generate(ds: DataSource, shapes: readonly ShopperShape[]): Promise<void> {
  const started = Date.now();
  await ds.query(`CREATE SCHEMA bench`);
  await ds.query(
    `CREATE TABLE bench.shapes (k int PRIMARY KEY, week_share float8, per_week float8, basket_cents int)`,
  );
  await ds.query(
    `INSERT INTO bench.shapes
     SELECT k, "weekShare", "basketsPerWeek", "basketCents"
       FROM jsonb_to_recordset($1::jsonb)
         AS s(k int, "weekShare" float8, "basketsPerWeek" float8, "basketCents" int)`,
    [JSON.stringify(shapes.map((shape, i) => ({ ...shape, k: i + 1 })))],
  );
  // Four in five households gave a birthday (any day of a leap year, 29 February included).
  await ds.query(
    `INSERT INTO ingest.shoppers (id, registered, birthday, enrolled_on)
     SELECT md5('household-' || g)::uuid, true,
            CASE WHEN g % 5 <> 0 THEN to_char(date '2000-01-01' + ((g::bigint * 7919) % 366)::int, 'MM-DD') END,
            date '2020-01-01' + g % 2000
       FROM generate_series(1, $1::int) g`,
    [HOUSEHOLDS],
  );
  await ds.query(
    `CREATE TABLE bench.households AS
     SELECT md5('household-' || g)::uuid AS id, 1 + (g * 2654435761) % $2::int AS k
       FROM generate_series(1, $1::int) g`,
    [HOUSEHOLDS, shapes.length],
  );
  log(`households: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Loaded without their keys, which are built once afterwards.
  await ds.query(`ALTER TABLE ingest.shopper_weeks DROP CONSTRAINT shopper_weeks_pkey`);
  await ds.query(`ALTER TABLE ingest.shopper_weeks DROP CONSTRAINT shopper_weeks_shopper_id_fkey`);
  await inParts(
    ds,
    2,
    (low, high) => `
      INSERT INTO ingest.shopper_weeks (shopper_id, week_start, spend_cents, visits)
      SELECT h.id, date '${CURRENT_WEEK}' - 7 * w, round(v.visits * s.basket_cents * (0.5 + random())), v.visits
        FROM bench.households h
        JOIN bench.shapes s ON s.k = h.k
       CROSS JOIN generate_series(0, 52) w
       -- Drawn per household and week (a draw on the shape alone would be made once per shape).
       CROSS JOIN LATERAL (
         SELECT greatest(1, round(s.per_week * (0.5 + random())))::int AS visits,
                random() + 0 * w AS draw
       ) v
       WHERE h.id >= ${low} AND h.id < ${high} AND v.draw < s.week_share`,
  );
  await ds.query(`ALTER TABLE ingest.shopper_weeks ADD PRIMARY KEY (shopper_id, week_start)`);
  await ds.query(
    `ALTER TABLE ingest.shopper_weeks ADD CONSTRAINT shopper_weeks_shopper_id_fkey
       FOREIGN KEY (shopper_id) REFERENCES ingest.shoppers (id)`,
  );
  const [{ weeks }] = await ds.query(`SELECT count(*)::int AS weeks FROM ingest.shopper_weeks`);
  log(`weekly sums: ${weeks} rows, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // One visit day per week shopped, in the afternoon in London; the latest 26 kept.
  await inParts(
    ds,
    2,
    (low, high) => `
      INSERT INTO ingest.shopper_profiles
        (shopper_id, lifetime_spend_cents, visits, first_visit_at, last_visit_at,
         spend_by_department_cents, points_balance, recent_visit_days)
      SELECT shopper_id, sum(spend_cents), sum(visits),
             (min(day) + time '14:00') AT TIME ZONE 'Europe/London',
             (max(day) + time '14:00') AT TIME ZONE 'Europe/London',
             '{}', 0, (array_agg(day ORDER BY day DESC))[1:26]
        FROM (SELECT shopper_id, spend_cents, visits,
                     least(week_start + abs(hashtext(shopper_id::text || week_start)) % 7,
                           date '${HISTORY_ENDS}') AS day
                FROM ingest.shopper_weeks
               WHERE shopper_id >= ${low} AND shopper_id < ${high}) d
       GROUP BY shopper_id`,
  );
  await ds.query(`ANALYZE`);
  log(`profiles: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const databaseName = `loyalty_bench_profiles_${Date.now()}`;
  let ds: DataSource | null = null;
  const seconds: number[] = [];
  const changes: number[] = [];
  let rolloverSeconds = NaN;
  try {
    const databaseUrl = await createTestDatabase(databaseName);
    ds = await new DataSource(
      postgresOptions({ ...posIngestDatabase, databaseUrl, applicationName: 'bench' }),
    ).initialize();
    const config = loadConfig(PosIngestConfig, {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: '127.0.0.1:9092',
      JWT_SECRET: randomBytes(32).toString('hex'),
    });
    log(
      `machine: ${cpus().length} cores; Node ${process.version}; ${HOUSEHOLDS} households; chunks of ${config.PROFILE_FACTS_CHUNK}`,
    );
    const shapes = completeJourneyShapes();
    log(`Complete Journey: ${shapes.length} household shapes`);
    await generate(ds, shapes);

    const db = ds;
    const runner = new JobRunner(ds, { table: JOBS_TABLE });
    const job = new ProfileFactsJob(ds, new ProfileFactsQueries(config), config);
    runner.register(job);
    const runFor = async (period: string, label: string) => {
      const started = process.hrtime.bigint();
      const outcome = await runner.trigger(job.name, period);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      if (outcome !== 'done') throw new Error(`The run for ${period} ended ${outcome}`);
      const [counts] = await db.query(
        `SELECT count(*) FILTER (WHERE topic = $1)::int AS profiles,
                count(*) FILTER (WHERE topic = $2)::int AS lifecycles
           FROM ingest.outbox`,
        [TOPICS.profileChangedV2, TOPICS.lifecycleChanged],
      );
      // The relay would have sent them meanwhile, and autovacuum had a day for the rows the
      // run rewrote (untimed).
      await db.query(`TRUNCATE ingest.outbox`);
      await db.query(`VACUUM ANALYZE ingest.shopper_profiles`);
      log(
        `${label} for ${period}: ${elapsed.toFixed(1)} s, ${counts.profiles} profile changes, ${counts.lifecycles} lifecycle changes`,
      );
      return { elapsed, profiles: counts.profiles as number };
    };
    for (let run = 1; run <= RUNS; run++) {
      const { elapsed, profiles } = await runFor(addDays(HISTORY_ENDS, run), `run ${run}`);
      seconds.push(elapsed);
      changes.push(profiles);
    }
    // The first night of the next week: every window moves.
    rolloverSeconds = (await runFor(NEXT_MONDAY, 'week rolled over')).elapsed;
    log(`median of ${RUNS}: ${median(seconds).toFixed(1)} s, ${median(changes)} profile changes`);
  } finally {
    await ds?.destroy();
    if (process.env.BENCH_KEEP_DATABASE === '1') log(`kept database ${databaseName}`);
    else await dropTestDatabase(databaseName);
  }
  const ingestCpuUs = ingestCpuPerTransaction();
  console.log(
    `RESULT profiles_1m_pass_s=${median(seconds).toFixed(1)} ingest_cpu_us_per_tx=${ingestCpuUs} profile_changes=${median(changes)} profiles_1m_week_rollover_s=${rolloverSeconds.toFixed(1)}`,
  );
}

/**
 * The projector's cost with the richer profiles: the ingest bench (`npm run bench:ingest`, built
 * apps) run once after the pass, its total CPU per transaction in the throughput run (all
 * processes and PostgreSQL). Compare it with the figure in docs/PERFORMANCE.md.
 */
function ingestCpuPerTransaction(): number {
  log('running the ingest bench for the CPU per transaction of the projector with the profiles');
  const output = execFileSync(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(__dirname, 'ingest.bench.ts'),
    ],
    { cwd: join(__dirname, '..', '..'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const total = /CPU per transaction in the throughput run: .*; total (\d+) µs/.exec(output);
  if (!total) throw new Error(`The ingest bench printed no CPU per transaction:\n${output}`);
  log(
    output.split('\n').find((line) => line.includes('CPU per transaction in the throughput run')) ??
      '',
  );
  return Number(total[1]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
