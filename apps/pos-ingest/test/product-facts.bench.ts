import { postgresOptions } from '@loyalty/platform';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { posIngestDatabase } from '../src/database/data-source';
import { ProductFactsQueries } from '../src/profiles/product-facts.queries';
import { ProfileSumsQueries } from '../src/profiles/profile-sums.queries';
import { createTestDatabase, dropTestDatabase } from '../../../test/support/test-database';

// The product facts fold's cost: a scratch database with HOUSEHOLDS households, two rounds of
// TRANSACTIONS receipts of 20 lines each queued as the projector queues them (the second round
// on households that already have product sums, with VOIDS of the first round's sales taken
// back), each round folded in chunks of CHUNK; prints the CPU of the database backend that folds
// (from /proc, so other load on the server does not count) and the wall time, per transaction.
//
//   npx ts-node --transpile-only -r tsconfig-paths/register apps/pos-ingest/test/product-facts.bench.ts

const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 40_000);
const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 8_000);
const VOIDS = Number(process.env.BENCH_VOIDS ?? 1_000);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 2_000);
// USER_HZ: /proc reports CPU time in these ticks on Linux.
const TICK_MS = 10;

function backendCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** `count` sales of 20 lines each over the households, queued (+1), as round `round`. */
async function queueRound(db: DataSource, round: number, count: number): Promise<void> {
  await db.query(
    `WITH tx AS (
       INSERT INTO ingest.transactions (pos_transaction_id, store_id, terminal_id, cashier_id, business_date,
         type, card_number, shopper_id, occurred_at, utc_offset, total_cents, lines, tenders, applied_offers,
         received_at)
       SELECT 'r' || $1::int || '-' || i, 'store-' || (i % 40), 'lane-1', 'cashier-1',
              date '2026-01-01' + ($1::int * 60 + i % 60), 'sale', 'card-' || (i % $3::int),
              md5('household-' || (i % $3::int))::uuid, now(), '+00:00', 0,
              (SELECT json_agg(json_build_object(
                        'sku', 'sku-' || s, 'department', 'D' || (s % 20), 'category', 'C' || (s % 100),
                        'brand', CASE WHEN s % 7 <> 0 THEN 'B' || (s % 200) END,
                        'quantity', 1 + (s % 3), 'unitPriceCents', 100 + s % 900,
                        'amountCents', (1 + (s % 3)) * (100 + s % 900)))
                 FROM (SELECT (i * 7919 + k * 104729) % 2000 AS s FROM generate_series(1, 20) k) lines),
              '[]', '[]', now()
         FROM generate_series(1, $2) i
       RETURNING shopper_id, store_id, pos_transaction_id)
     INSERT INTO ingest.product_fact_queue (shopper_id, store_id, pos_transaction_id, sign)
     SELECT shopper_id, store_id, pos_transaction_id, 1 FROM tx`,
    [round, count, HOUSEHOLDS],
  );
}

async function fold(db: DataSource, label: string, transactions: number): Promise<void> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    const [{ pid }] = await runner.query(`SELECT pg_backend_pid() AS pid`);
    const queries = new ProductFactsQueries(new ProfileSumsQueries());
    const cpuBefore = backendCpuMs(pid);
    const started = process.hrtime.bigint();
    let chunks = 0;
    for (;;) {
      await runner.startTransaction();
      const outcome = await queries.fold(runner.manager, { limit: CHUNK });
      await runner.commitTransaction();
      if (outcome.taken === 0) break;
      chunks++;
    }
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const cpuMs = backendCpuMs(pid) - cpuBefore;
    console.log(
      `[bench] ${label}: ${transactions} transactions in ${chunks} chunks of ${CHUNK}: ` +
        `database backend CPU ${cpuMs} ms (${((cpuMs * 1000) / transactions).toFixed(0)} µs per transaction), ` +
        `wall ${wallMs.toFixed(0)} ms (${((wallMs * 1000) / transactions).toFixed(0)} µs per transaction)`,
    );
  } finally {
    await runner.release();
  }
}

async function main(): Promise<void> {
  const name = `loyalty_fold_bench_${Date.now()}`;
  const databaseUrl = await createTestDatabase(name);
  const db = new DataSource(
    postgresOptions({ ...posIngestDatabase, databaseUrl, applicationName: 'fold-bench' }),
  );
  await db.initialize();
  try {
    await db.query(
      `WITH s AS (INSERT INTO ingest.shoppers (id) SELECT md5('household-' || i)::uuid FROM generate_series(0, $1 - 1) i
                  RETURNING id)
       INSERT INTO ingest.shopper_profiles (shopper_id, lifetime_spend_cents, visits, spend_by_department_cents,
         points_balance)
       SELECT id, 0, 0, '{}', 0 FROM s`,
      [HOUSEHOLDS],
    );
    await queueRound(db, 1, TRANSACTIONS);
    await db.query(`VACUUM ANALYZE ingest.transactions`);
    await fold(db, 'first round (new product sums)', TRANSACTIONS);
    await queueRound(db, 2, TRANSACTIONS);
    // Voids of first-round sales: their -1 effects, queued with the second round.
    await db.query(
      `WITH v AS (UPDATE ingest.transactions SET voided = true
                   WHERE pos_transaction_id IN (SELECT 'r1-' || i FROM generate_series(1, $1) i)
                   RETURNING shopper_id, store_id, pos_transaction_id)
       INSERT INTO ingest.product_fact_queue (shopper_id, store_id, pos_transaction_id, sign)
       SELECT shopper_id, store_id, pos_transaction_id, -1 FROM v`,
      [VOIDS],
    );
    await db.query(`VACUUM ANALYZE ingest.transactions`);
    await fold(db, `second round (existing sums, ${VOIDS} voids)`, TRANSACTIONS + VOIDS);
    const [{ rows }] = await db.query(`SELECT count(*)::int AS rows FROM ingest.shopper_products`);
    console.log(`[bench] ${rows} product sums for ${HOUSEHOLDS} households`);
  } finally {
    await db.destroy();
    await dropTestDatabase(name);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
