import { PosTransaction, localDate } from '@loyalty/domain';
import autocannon from 'autocannon';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ReceiptLine, seeded } from './baskets';
import { CpuSnapshot, cpuBetween } from './cpu';

// The benches' load: autocannon against an app, measured per 2xx answer with the CPU each process
// used; and the ingest load, POS sales posted to pos-ingest's bulk intake at a steady rate.

/** The stores of the benches, one terminal key each. */
export const STORES = 10;
// The ingest load is posted in ticks of this many ms, one bulk request per store per tick.
const INGEST_TICK_MS = 100;

export interface Terminal {
  storeId: string;
  apiKey: string;
}

export interface Measurement {
  /** Expected answers (2xx, or `expected`) per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: string;
  /** CPU ms per process over the run. */
  cpu: Map<string, number>;
  seconds: number;
}

/** The `p`th percentile of sorted values; NaN of none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * autocannon against `url` for `seconds`, `connections` connections (50), at saturation or at
 * `rate` requests a second offered. Latency is taken from each expected answer (2xx unless
 * `expected` is given; autocannon's own histogram keeps
 * whole milliseconds, and with a rate it "corrects" for coordinated omission with an expected
 * interval of 1 ms whatever the rate: off here). autocannon's rate gives each connection its
 * share of the requests per second, released at the start of each second.
 */
export async function measure(
  url: string,
  requests: autocannon.Request[],
  seconds: number,
  rate: number | null,
  cpu: () => Promise<CpuSnapshot>,
  connections = 50,
  expected: (statusCode: number) => boolean = (code) => code >= 200 && code < 300,
): Promise<Measurement> {
  const latencies: number[] = [];
  const before = await cpu();
  const started = Date.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        requests,
        ...(rate === null ? {} : { overallRate: rate, ignoreCoordinatedOmission: true }),
      },
      (error: Error | null, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
    // The instance emits (client, statusCode, bytes, ms); @types/autocannon omits the client.
    (instance as NodeJS.EventEmitter).on(
      'response',
      (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
        if (expected(statusCode)) latencies.push(ms);
      },
    );
  });
  const elapsed = (Date.now() - started) / 1000;
  const used = cpuBetween(before, await cpu());
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.entries(result.statusCodeStats ?? {})
      .map(([code, { count }]) => `${code}: ${count}`)
      .join(', '),
    cpu: used,
    seconds: elapsed,
  };
}

/** A measurement's figures; CPU in cores over the run, and per expected answer. */
export function describe(what: string, m: Measurement): string {
  const cores = [...m.cpu].map(([name, ms]) => `${name} ${(ms / 1000 / m.seconds).toFixed(2)}`);
  const perRequest = [...m.cpu]
    .filter(([name]) => !['others', 'irq', 'steal'].includes(name))
    .map(([name, ms]) => `${name} ${((ms * 1000) / (m.rps * m.seconds)).toFixed(0)}`);
  return (
    `${what}: ${m.rps.toFixed(0)} answers/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, ` +
    `max ${m.max.toFixed(1)} ms; non-2xx ${m.non2xx}${m.statusCodes ? ` (${m.statusCodes})` : ''}, ` +
    `errors ${m.errors}, timeouts ${m.timeouts}\n` +
    `[bench]   CPU, cores: ${cores.join(', ')}\n` +
    `[bench]   CPU per answer, µs: ${perRequest.join(', ')}`
  );
}

export function assertAnswered(what: string, m: Measurement): void {
  if (m.rps === 0)
    throw new Error(`${what}: no expected answers (${m.statusCodes}, ${m.errors} errors)`);
}

/** One bulk request: NDJSON sales of one store. */
export interface Upload {
  store: number;
  count: number;
  body: string;
}

/**
 * Sales as the lanes post them once paid: the baskets, of the shoppers' cards, `rate` a second;
 * a tick's uploads per 100 ms, one per store.
 */
export function ingestUploads(
  run: string,
  cards: readonly string[],
  baskets: readonly ReceiptLine[][],
  seconds: number,
  rate: number,
): Upload[][] {
  const next = seeded([...run].reduce((hash, c) => (hash * 31 + c.charCodeAt(0)) >>> 0, 0));
  const now = new Date();
  const perTick = (rate * INGEST_TICK_MS) / 1000;
  const ticks = Math.ceil((seconds * 1000) / INGEST_TICK_MS);
  return Array.from({ length: ticks }, (_, tick) => {
    const byStore: PosTransaction[][] = Array.from({ length: STORES }, () => []);
    for (let i = 0; i < perTick; i++) {
      const lines = baskets[Math.floor(next() * baskets.length)];
      const totalCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
      const store = i % STORES;
      byStore[store].push({
        posTransactionId: `${run}-${tick}-${i}`,
        storeId: `store-${store}`,
        terminalId: 'lane-1',
        cashierId: 'cashier-1',
        businessDate: localDate(now, 'Europe/London'),
        occurredAt: now.toISOString(),
        type: 'sale',
        cardNumber: cards[Math.floor(next() * cards.length)],
        lines,
        tenders: [{ type: 'card', amountCents: totalCents }],
        totalCents,
      });
    }
    return byStore
      .map((receipts, store) => ({
        store,
        count: receipts.length,
        body: receipts.map((r) => JSON.stringify(r)).join('\n'),
      }))
      .filter((upload) => upload.count > 0);
  });
}

/** Whether the intake accepted every sale of the upload. */
async function postBulk(url: string, apiKey: string, upload: Upload): Promise<boolean> {
  const response = await fetch(`${url}/v1/transactions/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-api-key': apiKey },
    body: upload.body,
  });
  const result = (await response.json()) as { accepted?: number };
  return response.status === 200 && result.accepted === upload.count;
}

/**
 * Posts the uploads to pos-ingest's bulk intake, a tick's requests every 100 ms (as lanes back
 * online do), until they are all answered; the uploads are serialized before the clock starts.
 */
export async function ingest(
  url: string,
  terminals: readonly Terminal[],
  uploads: readonly Upload[][],
): Promise<{ posted: number; failed: number; sentSeconds: number; answeredSeconds: number }> {
  const started = Date.now();
  const posts: Promise<boolean>[] = [];
  for (const [tick, ofTick] of uploads.entries()) {
    const due = started + tick * INGEST_TICK_MS;
    if (due > Date.now()) await sleep(due - Date.now());
    for (const upload of ofTick)
      posts.push(postBulk(url, terminals[upload.store].apiKey, upload).catch(() => false));
  }
  const sentSeconds = (Date.now() - started) / 1000;
  const results = await Promise.all(posts);
  return {
    posted: uploads.flat().reduce((sum, upload) => sum + upload.count, 0),
    failed: results.filter((ok) => !ok).length,
    sentSeconds,
    answeredSeconds: (Date.now() - started) / 1000,
  };
}

export const projected = async (ds: DataSource, run: string) =>
  (
    await ds.query(
      `SELECT count(*)::int AS n FROM ingest.transactions WHERE pos_transaction_id LIKE $1`,
      [`${run}-%`],
    )
  )[0].n as number;

/**
 * Waits until the projector has stored the `posted` sales of `run`, or until it has stood still
 * for 30 s (the mock broker drops what a lagging consumer has not read); says which.
 */
export async function projectorDrained(
  ds: DataSource,
  run: string,
  posted: number,
): Promise<string> {
  const started = Date.now();
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const n = await projected(ds, run);
    if (n >= posted)
      return `the projector caught up ${((Date.now() - started) / 1000).toFixed(1)} s later`;
    if (n !== last) movedAt = Date.now();
    if (Date.now() - movedAt > 30_000) return `the projector stalled at ${n}/${posted}`;
    last = n;
    await sleep(200);
  }
}
