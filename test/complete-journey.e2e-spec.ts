import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { TOPICS } from '@loyalty/domain';
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { transactionMessageKey } from '../apps/pos-ingest/src/intake/intake.service';
import { ReportSumsQueries } from '../apps/loyalty-api/src/reports/report-sums.queries';
import {
  openDatabase,
  startLoyaltyApi,
  startPosIngestWithOwnGroup,
  tokenFor,
} from './support/apps';
import { householdCardNumber, loadCompleteJourneyTransactions } from './support/complete-journey';
import { produce, waitForDrain } from './support/kafka';

// Replays the whole Complete Journey sample through Kafka and the projector, then checks every
// household's profile against figures computed here straight from the CSV rows.

const TOPIC = TOPICS.transactionRecorded;
// The whole replay (56,396 transactions) projected and committed: a bound for a machine at least
// twice as slow as ours, shared by all chunks.
const REPLAY_MS = 300_000;
// Reading and parsing the CSV files, twice, and the final queries.
const MARGIN_MS = 120_000;
// For the file's one test: longer than the waits inside it.
jest.setTimeout(REPLAY_MS + MARGIN_MS);

interface Expected {
  spendCents: number;
  baskets: Set<string>;
  first: string;
  last: string;
  departments: Map<string, number>;
}

function csv(file: string): Record<string, string>[] {
  const path = join(__dirname, 'data', 'completejourney', file);
  return parse(gunzipSync(readFileSync(path)), { columns: true, skip_empty_lines: true });
}

/** The oracle: per household, from the raw rows (lines of quantity 0 are worth 0 and no purchase). */
function expectedByHousehold(): Map<string, Expected> {
  const department = new Map(
    csv('products.csv.gz').map((p) => [p.product_id, p.department || 'UNKNOWN']),
  );
  const households = new Map<string, Expected>();
  for (const row of csv('transactions_sample_100k.csv.gz')) {
    if (Number(row.quantity) === 0) continue;
    const cents = Math.round(parseFloat(row.sales_value) * 100);
    const at = new Date(row.transaction_timestamp_utc).toISOString();
    const h = households.get(row.household_id) ?? {
      spendCents: 0,
      baskets: new Set<string>(),
      first: at,
      last: at,
      departments: new Map<string, number>(),
    };
    h.spendCents += cents;
    h.baskets.add(row.basket_id);
    if (at < h.first) h.first = at;
    if (at > h.last) h.last = at;
    const d = department.get(row.product_id) ?? 'UNKNOWN';
    h.departments.set(d, (h.departments.get(d) ?? 0) + cents);
    households.set(row.household_id, h);
  }
  return households;
}

/** The oracle of the sales report: per store and per hour of the POS clock, from the raw rows. */
function expectedSales(): {
  byStore: Map<string, [number, number]>;
  byHour: Map<string, [number, number]>;
} {
  const baskets = new Map<string, { store: string; hour: string; cents: number }>();
  for (const row of csv('transactions_sample_100k.csv.gz')) {
    if (Number(row.quantity) === 0) continue;
    const basket = baskets.get(row.basket_id) ?? {
      store: `store-${row.store_id}`,
      hour: String(Number(row.transaction_timestamp.slice(11, 13))),
      cents: 0,
    };
    basket.cents += Math.round(parseFloat(row.sales_value) * 100);
    baskets.set(row.basket_id, basket);
  }
  const byStore = new Map<string, [number, number]>();
  const byHour = new Map<string, [number, number]>();
  for (const { store, hour, cents } of baskets.values())
    for (const [sums, key] of [
      [byStore, store],
      [byHour, hour],
    ] as const) {
      const [sales, total] = sums.get(key) ?? [0, 0];
      sums.set(key, [sales + 1, total + cents]);
    }
  return { byStore, byHour };
}

function topDepartments(spend: Iterable<[string, number]>, n = 3): string[] {
  return [...spend]
    .filter(([, cents]) => cents !== 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([d]) => d);
}

describe('Complete Journey replay', () => {
  let app: NestFastifyApplication;
  let groupId: string;
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase();
    ({ app, groupId } = await startPosIngestWithOwnGroup());
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const projected = async () =>
    (
      await db.query(
        `SELECT count(*)::int AS n FROM ingest.transactions WHERE pos_transaction_id LIKE 'cj-%'`,
      )
    )[0].n;

  it('gives every household the spend, baskets, first and last visit and top departments of the data', async () => {
    const transactions = loadCompleteJourneyTransactions();
    const receivedAt = new Date().toISOString();
    const deadline = Date.now() + REPLAY_MS;
    // In chunks, waiting for the projector to commit each: the mock broker keeps only ~5 MB per
    // partition, and what it drops before the projector read it would be lost.
    const chunk = 4_000;
    for (let start = 0; start < transactions.length; start += chunk) {
      const slice = transactions.slice(start, start + chunk);
      await produce(
        TOPIC,
        slice.map((tx) => ({
          key: transactionMessageKey(tx),
          value: JSON.stringify({ ...tx, receivedAt }),
        })),
      );
      await waitForDrain(groupId, TOPIC, deadline - Date.now());
    }
    expect(await projected()).toBe(transactions.length);

    const expected = expectedByHousehold();
    const rows: {
      card_number: string;
      lifetime_spend_cents: string;
      visits: number;
      first_visit_at: Date;
      last_visit_at: Date;
      spend_by_department_cents: Record<string, number>;
    }[] = await db.query(
      `SELECT c.card_number, p.lifetime_spend_cents, p.visits, p.first_visit_at, p.last_visit_at,
              p.spend_by_department_cents
         FROM ingest.shopper_profiles p JOIN ingest.cards c USING (shopper_id)
        WHERE c.card_number = ANY($1::text[])`,
      [[...expected.keys()].map(householdCardNumber)],
    );
    const byCard = new Map(rows.map((r) => [r.card_number, r]));
    expect(byCard.size).toBe(expected.size);
    const mismatches: string[] = [];
    for (const [household, h] of expected) {
      const p = byCard.get(householdCardNumber(household));
      const actual = p && {
        spend: Number(p.lifetime_spend_cents),
        baskets: p.visits,
        first: p.first_visit_at.toISOString(),
        last: p.last_visit_at.toISOString(),
        top: topDepartments(Object.entries(p.spend_by_department_cents)),
      };
      const wanted = {
        spend: h.spendCents,
        baskets: h.baskets.size,
        first: h.first,
        last: h.last,
        top: topDepartments(h.departments),
      };
      if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
        mismatches.push(
          `household ${household}: ${JSON.stringify(actual)} != ${JSON.stringify(wanted)}`,
        );
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The sample has 2,405 households and 56,625 baskets; one household and 229 baskets hold only
    // lines of quantity 0 and value 0, which are no purchase.
    expect(expected.size).toBe(2_404);
    expect(transactions.length).toBe(56_396);
  });

  it("reports the data's sales by store and hour, every sale with a card", async () => {
    // The replay above stored them; the reports' sums of 2017 are recounted here.
    const loyaltyApi = await startLoyaltyApi();
    try {
      await db.transaction((m) =>
        loyaltyApi.get(ReportSumsQueries).refreshSalesHours(m, '2017-01-01', '2017-12-31'),
      );
      const { byStore, byHour } = expectedSales();
      for (const [by, expected] of [
        ['store', byStore],
        ['hour', byHour],
      ] as const) {
        const body = (
          await request(loyaltyApi.getHttpServer())
            .get(`/v1/reports/sales?from=2017-01-01&to=2017-12-31&by=${by}`)
            .set({ Authorization: `Bearer ${tokenFor('marketer')}` })
            .expect(200)
        ).body as {
          rows: { key: string; sales: number; salesCents: number; cardedShare: number }[];
        };
        const actual = new Map(body.rows.map((r) => [r.key, [r.sales, r.salesCents]]));
        expect(actual).toEqual(expected);
        expect(body.rows.every((r) => r.cardedShare === 1)).toBe(true);
      }
    } finally {
      await loyaltyApi.close();
    }
  });
});
