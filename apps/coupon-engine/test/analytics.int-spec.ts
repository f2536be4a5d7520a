import { JobRunner } from '@loyalty/platform';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually, openDatabase, startCouponEngine } from '../../../test/support/apps';

// The item insight job mines pos-ingest's stored sales of a window. The baskets are the test's
// own, of February 2002: no other test stores sales then, so the job's window (91 days up to the
// period) holds exactly these, and the figures below are counted by hand.
describe('coupon-engine mines what goes with what from the baskets', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  const households = [randomUUID(), randomUUID(), randomUUID()];
  const PASTA = { sku: 'sku-pasta', department: 'GROCERY', category: 'PASTA' };
  const SAUCE = { sku: 'sku-sauce', department: 'GROCERY', category: 'SAUCE' };
  const MILK = { sku: 'sku-milk', department: 'DAIRY' };

  async function seedSale(
    householdId: string | null,
    items: object[],
    options: { day?: string; type?: 'sale' | 'return'; voided?: boolean } = {},
  ): Promise<void> {
    const lines = items.map((item) => ({
      ...item,
      quantity: 1,
      unitPriceCents: 100,
      amountCents: 100,
    }));
    await db.query(
      `INSERT INTO ingest.transactions
         (pos_transaction_id, store_id, terminal_id, cashier_id, business_date, type,
          original_pos_transaction_id, shopper_id, occurred_at, utc_offset, total_cents, lines,
          tenders, applied_offers, voided, received_at)
       VALUES ($1, 'store-insight', 'lane-1', 'cashier-1', $2, $3, $4, $5, $2::date + time '12:00',
               '+00:00', $6, $7, '[]', '[]', $8, now())`,
      [
        randomUUID(),
        options.day ?? '2002-02-10',
        options.type ?? 'sale',
        options.type === 'return' ? 'original' : null,
        householdId,
        lines.length * 100,
        JSON.stringify(lines),
        options.voided ?? false,
      ],
    );
  }

  beforeAll(async () => {
    db = await openDatabase();
    for (const id of households)
      await db.query(`INSERT INTO ingest.shoppers (id) VALUES ($1)`, [id]);
    const [h1, h2, h3] = households;
    // 12 counted baskets: pasta and sauce together 6 times, pasta alone twice, milk alone 4 times.
    for (let i = 0; i < 3; i++) await seedSale(h1, [PASTA, SAUCE, PASTA]);
    for (let i = 0; i < 3; i++) await seedSale(h2, [PASTA, SAUCE]);
    for (let i = 0; i < 2; i++) await seedSale(h2, [PASTA]);
    for (let i = 0; i < 2; i++) await seedSale(h1, [MILK]);
    await seedSale(h3, [MILK]);
    await seedSale(null, [MILK]);
    // Not counted: a voided sale, a return, and a sale after the window.
    await seedSale(h3, [MILK, SAUCE], { voided: true });
    await seedSale(h3, [SAUCE], { type: 'return' });
    await seedSale(h3, [MILK, SAUCE], { day: '2002-03-01' });
    app = await startCouponEngine();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const runFor = (period: string) =>
    eventually(async () => (await app.get(JobRunner).trigger('item-insight', period)) === 'done');

  const associationsAt = (level: string) =>
    db.query(
      `SELECT antecedent, consequent, together, support, confidence, lift
         FROM coupons.item_associations WHERE level = $1 ORDER BY antecedent`,
      [level],
    );
  const popularityAt = (level: string) =>
    db.query(
      `SELECT item, households, share FROM coupons.item_popularity WHERE level = $1 ORDER BY item`,
      [level],
    );

  it('keeps support, confidence and lift of both directions, and each item share of households', async () => {
    await runFor('2002-02-28');
    const pasta = { antecedent: 'PASTA', consequent: 'SAUCE', together: 6, support: 0.5 };
    expect(await associationsAt('category')).toEqual([
      { ...pasta, confidence: 0.75, lift: 1.5 },
      { ...pasta, antecedent: 'SAUCE', consequent: 'PASTA', confidence: 1, lift: 1.5 },
    ]);
    expect(await associationsAt('product')).toEqual([
      { ...pasta, antecedent: 'sku-pasta', consequent: 'sku-sauce', confidence: 0.75, lift: 1.5 },
      { ...pasta, antecedent: 'sku-sauce', consequent: 'sku-pasta', confidence: 1, lift: 1.5 },
    ]);
    // Three households bought in the window; the anonymous basket counts for no household.
    expect(await popularityAt('category')).toEqual([
      { item: 'PASTA', households: 2, share: 2 / 3 },
      { item: 'SAUCE', households: 2, share: 2 / 3 },
      { item: 'department:DAIRY', households: 2, share: 2 / 3 },
    ]);
    expect(
      await db.query(
        `SELECT level, window_from::text, window_to::text, baskets, households
           FROM coupons.item_insight_runs ORDER BY level`,
      ),
    ).toEqual([
      {
        level: 'category',
        window_from: '2001-11-30',
        window_to: '2002-02-28',
        baskets: 12,
        households: 3,
      },
      {
        level: 'product',
        window_from: '2001-11-30',
        window_to: '2002-02-28',
        baskets: 12,
        households: 3,
      },
    ]);
  });

  it('replaces what an earlier run kept', async () => {
    // The window of 2001-06-30 holds no sale.
    await runFor('2001-06-30');
    expect(await associationsAt('category')).toEqual([]);
    expect(await popularityAt('product')).toEqual([]);
  });
});
