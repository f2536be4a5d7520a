import { randomBytes } from 'node:crypto';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { postgresOptions } from '@loyalty/platform';
import { loyaltyApiDatabase } from '../../apps/loyalty-api/src/database/data-source';
import { loadCompleteJourneyTransactions } from '../support/complete-journey';
import { DevKafka, kafkaForApps, stopDevKafka } from '../support/dev-kafka';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';
import { createTerminal } from '../support/terminals';

// `npm run bench:limits`: the heaviest requests the intake takes or refuses, each sent while a
// prober asks GET /health/live every 2 ms. The longest answer to a probe is the longest time the
// request held the event loop (plus the probe's own round trip, measured at idle first).

const PORT = Number(process.env.BENCH_PORT ?? 3111);
const URL = `http://127.0.0.1:${PORT}`;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

/** Runs `work` while probing liveness; the slowest probe answer and how long `work` took. */
async function whileProbing(
  work: () => Promise<number>,
): Promise<{ stallMs: number; ms: number; status: number }> {
  let running = true;
  let stallMs = 0;
  const prober = (async () => {
    while (running) {
      const start = performance.now();
      await fetch(`${URL}/health/live`);
      stallMs = Math.max(stallMs, performance.now() - start);
      await sleep(2);
    }
  })();
  const start = performance.now();
  const status = await work();
  const ms = performance.now() - start;
  running = false;
  await prober;
  return { stallMs, ms, status };
}

async function post(path: string, apiKey: string, type: string, body: string): Promise<number> {
  const response = await fetch(`${URL}${path}`, {
    method: 'POST',
    headers: { 'X-Api-Key': apiKey, 'Content-Type': type },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const databaseName = `loyalty_bench_limits_${Date.now()}`;
  let devKafka: DevKafka | null = null;
  let app: ChildProcess | null = null;
  try {
    const databaseUrl = await createTestDatabase(databaseName);
    const kafka = await kafkaForApps();
    devKafka = kafka.devKafka;
    // BENCH_PROFILE_DIR: the app writes a V8 CPU profile there when it exits.
    const profile = process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
    app = spawn(process.execPath, [...profile, 'dist/apps/pos-ingest/src/main.js'], {
      cwd: join(__dirname, '..', '..'),
      env: {
        ...process.env,
        ...kafka.env,
        DATABASE_URL: databaseUrl,
        JWT_SECRET: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'warn',
        PORT: String(PORT),
        PROJECTOR_ENABLED: 'false',
        STORE_REQUESTS_PER_MINUTE: '1000000',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    for (let i = 0; i < 300; i++) {
      if ((await fetch(`${URL}/health/ready`).catch(() => null))?.ok) break;
      await sleep(100);
    }
    const ds = await new DataSource(
      postgresOptions({ ...loyaltyApiDatabase, databaseUrl, applicationName: 'bench' }),
    ).initialize();
    const apiKey = await createTerminal(ds, 'store-1', 'lane-1');
    await ds.destroy();

    const lines = loadCompleteJourneyTransactions().flatMap((tx) => tx.lines);
    let serial = 0;
    const receipt = () => {
      const slice = lines.slice(
        (serial * 20) % (lines.length - 20),
        ((serial * 20) % (lines.length - 20)) + 20,
      );
      const totalCents = slice.reduce((sum, l) => sum + l.amountCents, 0);
      serial++;
      return JSON.stringify({
        posTransactionId: `limits-${Date.now()}-${serial}`,
        storeId: 'store-1',
        terminalId: 'lane-1',
        cashierId: 'c-1',
        businessDate: '2026-11-20',
        occurredAt: '2026-11-20T17:42:10-05:00',
        type: 'sale',
        cardNumber: '9800000000009061',
        lines: slice,
        tenders: [{ type: 'card', amountCents: totalCents }],
        totalCents,
      });
    };
    const cases: [string, () => Promise<number>][] = [
      [
        'bulk, 2,000 valid 20-line receipts',
        () => {
          const body = Array.from({ length: 2_000 }, receipt).join('\n');
          return post('/v1/transactions/bulk', apiKey, 'application/x-ndjson', body);
        },
      ],
      [
        'bulk, 2,000 20-line receipts of another store (judged, then refused)',
        () => {
          const body = Array.from({ length: 2_000 }, () =>
            receipt().replace('"storeId":"store-1"', '"storeId":"store-2"'),
          ).join('\n');
          return post('/v1/transactions/bulk', apiKey, 'application/x-ndjson', body);
        },
      ],
      [
        'bulk, 2,000 refused lines',
        () =>
          post('/v1/transactions/bulk', apiKey, 'application/x-ndjson', '{"a":1}\n'.repeat(2_000)),
      ],
      [
        'bulk, 50,000 tiny lines (refused whole)',
        () => post('/v1/transactions/bulk', apiKey, 'application/x-ndjson', '{}\n'.repeat(50_000)),
      ],
      [
        'single, 100,000 elements in lines',
        () => {
          const tx = JSON.parse(receipt());
          return post(
            '/v1/transactions',
            apiKey,
            'application/json',
            JSON.stringify({ ...tx, lines: Array(100_000).fill(1) }),
          );
        },
      ],
      [
        'single, nested 10,000 levels',
        () =>
          post(
            '/v1/transactions',
            apiKey,
            'application/json',
            '['.repeat(10_000) + ']'.repeat(10_000),
          ),
      ],
    ];

    const idle = await whileProbing(async () => {
      await sleep(500);
      return 0;
    });
    log(`idle: slowest liveness answer ${idle.stallMs.toFixed(1)} ms`);
    let worst = 0;
    for (const [name, work] of cases) {
      const runs = [];
      for (let r = 0; r < RUNS; r++) runs.push(await whileProbing(work));
      const stall = median(runs.map((r) => r.stallMs));
      worst = Math.max(worst, stall);
      log(
        `${name}: answered ${runs[0].status} in ${median(runs.map((r) => r.ms)).toFixed(0)} ms; slowest liveness answer meanwhile ${stall.toFixed(1)} ms (median of ${RUNS})`,
      );
    }
    console.log(
      `RESULT max_liveness_stall_ms=${worst.toFixed(1)} idle_liveness_ms=${idle.stallMs.toFixed(1)}`,
    );
  } finally {
    if (app) {
      app.kill('SIGTERM');
      await new Promise((resolve) => app?.once('exit', resolve));
    }
    if (devKafka) stopDevKafka(devKafka);
    await dropTestDatabase(databaseName);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
