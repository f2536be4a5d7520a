import {
  PosTransaction,
  TransactionLine,
  TransactionRecordedV1,
  householdIdForCard,
  productSumsEffect,
  sumProducts,
} from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { runJobByHand } from './support/run-job-by-hand';
import { ProductFactsQueries } from '../src/profiles/product-facts.queries';
import { ProjectionService } from '../src/transactions/projection.service';
import { openDatabase, startPosIngest } from '../../../test/support/apps';
import { makeCardNumber, makeLine, makeTransaction } from '../../../test/support/factories';

describe('pos-ingest product facts: the fold of the queued effects', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let projection: ProjectionService;
  let queries: ProductFactsQueries;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startPosIngest({ PROJECTOR_ENABLED: 'false' });
    projection = app.get(ProjectionService);
    queries = app.get(ProductFactsQueries);
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const recorded = (tx: PosTransaction): TransactionRecordedV1 => ({
    ...tx,
    receivedAt: '2026-11-20T22:42:11.000Z',
  });
  const project = (...txs: PosTransaction[]) =>
    projection.projectBatch(txs.map(recorded), new Date());

  const foldAll = () => runJobByHand(app, 'product-facts');

  const queued = async (shopperId: string): Promise<number> =>
    (
      await db.query(
        `SELECT count(*)::int AS n FROM ingest.product_fact_queue WHERE shopper_id = $1`,
        [shopperId],
      )
    )[0].n;

  async function productsOf(shopperId: string) {
    return db.query(
      `SELECT sku, department, spend_cents::int AS "spendCents", (units * 1000)::int AS "unitsMilli",
              purchases, to_char(first_bought_on, 'YYYY-MM-DD') AS "firstBoughtOn",
              to_char(last_bought_on, 'YYYY-MM-DD') AS "lastBoughtOn"
         FROM ingest.shopper_products WHERE shopper_id = $1 ORDER BY sku`,
      [shopperId],
    );
  }

  /** What the pure plan sums to once every effect counted: the transactions no void cancelled. */
  function expectedProducts(shopperId: string, standing: readonly PosTransaction[]) {
    return sumProducts(standing.flatMap((tx) => productSumsEffect(tx, 1, shopperId)))
      .filter((p) => !(p.spendCents === 0 && p.unitsMilli === 0 && p.purchases === 0))
      .map(
        ({ sku, department, spendCents, unitsMilli, purchases, firstBoughtOn, lastBoughtOn }) => ({
          sku,
          department,
          spendCents,
          unitsMilli,
          purchases,
          firstBoughtOn,
          lastBoughtOn,
        }),
      )
      .sort((a, b) => (a.sku < b.sku ? -1 : 1));
  }

  const line = (sku: string, cents: number, quantity = 1): TransactionLine =>
    makeLine({
      sku,
      department: sku === 'sku-beef' ? 'MEAT' : 'DAIRY',
      quantity,
      unitPriceCents: cents,
      amountCents: cents,
    });

  /** Sales, a return, voids of a sale and of the return, a SKU on two lines of one sale. */
  function scenario(cardNumber: string) {
    const tx = (
      id: string,
      day: number,
      lines: TransactionLine[],
      rest: Partial<PosTransaction> = {},
    ) =>
      makeTransaction({
        storeId: 'store-fold',
        cardNumber,
        posTransactionId: `${cardNumber}:${id}`,
        businessDate: `2026-11-${String(day).padStart(2, '0')}`,
        occurredAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00-05:00`,
        lines,
        ...rest,
      });
    const voidOf = (id: string, day: number, original: PosTransaction) =>
      tx(id, day, [], {
        type: 'void',
        originalPosTransactionId: original.posTransactionId,
        totalCents: 0,
        tenders: [],
      });
    const first = tx('s1', 2, [line('sku-milk', 250), line('sku-beef', 900)]);
    const twice = tx('s2', 4, [
      line('sku-milk', 250),
      line('sku-milk', 500, 2),
      line('sku-egg', 300),
    ]);
    const last = tx('s3', 9, [line('sku-beef', 1_800, 1.5), line('sku-egg', 300)]);
    const back = tx('r1', 10, [line('sku-milk', 250)], {
      type: 'return',
      originalPosTransactionId: twice.posTransactionId,
    });
    const voidedBack = tx('r2', 11, [line('sku-egg', 300)], {
      type: 'return',
      originalPosTransactionId: last.posTransactionId,
    });
    const all = [
      first,
      twice,
      last,
      back,
      voidedBack,
      voidOf('v1', 12, last),
      voidOf('v2', 12, voidedBack),
    ];
    return { all, standing: [first, twice, back] };
  }

  it('ends in the product sums of the pure plan whatever the order of effects and folds', async () => {
    const runs = fc.sample(
      fc.tuple(
        fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 7 }),
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
      ),
      { numRuns: 6, seed: 20261202 },
    );
    for (const [order, foldAfter] of runs) {
      const cardNumber = makeCardNumber();
      const shopperId = householdIdForCard(cardNumber);
      const { all, standing } = scenario(cardNumber);
      for (const [i, at] of order.entries()) {
        await project(all[at]);
        if (foldAfter[i]) await foldAll();
      }
      await foldAll();
      expect(await queued(shopperId)).toBe(0);
      expect(await productsOf(shopperId)).toEqual(expectedProducts(shopperId, standing));
    }
    // The pure plan here: milk bought three times in two sales and once returned, beef once
    // (its later sale voided), eggs once (the return of the voided sale voided too).
    const cardNumber = makeCardNumber();
    await project(...scenario(cardNumber).all);
    await foldAll();
    expect(await productsOf(householdIdForCard(cardNumber))).toEqual([
      expect.objectContaining({
        sku: 'sku-beef',
        spendCents: 900,
        purchases: 1,
        lastBoughtOn: '2026-11-02',
      }),
      expect.objectContaining({
        sku: 'sku-egg',
        spendCents: 300,
        purchases: 1,
        firstBoughtOn: '2026-11-04',
      }),
      expect.objectContaining({
        sku: 'sku-milk',
        spendCents: 750,
        unitsMilli: 3_000,
        purchases: 2,
        firstBoughtOn: '2026-11-02',
        lastBoughtOn: '2026-11-04',
      }),
    ]);
  });

  it('leaves the queue as it was when a chunk fails', async () => {
    const cardNumber = makeCardNumber();
    const shopperId = householdIdForCard(cardNumber);
    const { all } = scenario(cardNumber);
    await project(...all);
    const before = await queued(shopperId);
    expect(before).toBeGreaterThan(0);
    await expect(
      db.transaction(async (m) => {
        await queries.fold(m, { limit: 1_000 });
        throw new Error('the chunk fails after its fold');
      }),
    ).rejects.toThrow('the chunk fails after its fold');
    expect(await queued(shopperId)).toBe(before);
    expect(await productsOf(shopperId)).toEqual([]);
    await foldAll();
    expect(await queued(shopperId)).toBe(0);
  });

  it('never folds a row twice when two folds race', async () => {
    const scenarios = Array.from({ length: 6 }, () => {
      const cardNumber = makeCardNumber();
      return { shopperId: householdIdForCard(cardNumber), ...scenario(cardNumber) };
    });
    for (const { all } of scenarios) await project(...all);
    const [{ n: total }] = await db.query(
      `SELECT count(*)::int AS n FROM ingest.product_fact_queue`,
    );
    const folder = async (): Promise<number> => {
      let taken = 0;
      for (;;) {
        const outcome = await db.transaction((m) => queries.fold(m, { limit: 3 }));
        if (outcome.taken === 0) return taken;
        taken += outcome.taken;
      }
    };
    const [a, b] = await Promise.all([folder(), folder()]);
    expect(a + b).toBe(total);
    for (const { shopperId, standing } of scenarios)
      expect(await productsOf(shopperId)).toEqual(expectedProducts(shopperId, standing));
  });
});
