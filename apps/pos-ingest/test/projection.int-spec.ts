import {
  PointsEarnedV1,
  PosTransaction,
  TOPICS,
  TransactionRecordedV1,
  deadLetterTopic,
  householdIdForCard,
  transactionKey,
} from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { runJobByHand } from './support/run-job-by-hand';
import { ProjectionService } from '../src/transactions/projection.service';
import {
  openDatabase,
  startPosIngest,
  startPosIngestWithOwnGroup,
} from '../../../test/support/apps';
import {
  FULL_TRANSACTION,
  makeCardNumber,
  makeLine,
  makeTransaction,
} from '../../../test/support/factories';
import { findMessage, produce, readUntil, waitForDrain } from '../../../test/support/kafka';

describe('pos-ingest projector', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let projection: ProjectionService;

  beforeAll(async () => {
    db = await openDatabase();
    // The projector's consumer stays off: these tests drive ProjectionService directly, in batches.
    app = await startPosIngest({ PROJECTOR_ENABLED: 'false' });
    projection = app.get(ProjectionService);
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

  const foldProductFacts = () => runJobByHand(app, 'product-facts');

  /** Everything the projector keeps about a card's shopper and a store, for before/after comparisons. */
  async function stateOf(cardNumber: string, storeId: string) {
    await foldProductFacts();
    const [profile] = await db.query(
      `SELECT p.lifetime_spend_cents, p.visits, p.first_visit_at, p.last_visit_at, p.spend_by_department_cents,
              p.points_balance
         FROM ingest.shopper_profiles p JOIN ingest.cards c USING (shopper_id) WHERE c.card_number = $1`,
      [cardNumber],
    );
    const days = await db.query(
      `SELECT to_char(business_date, 'YYYY-MM-DD') AS day, sales, returns, anonymous_sales, sales_cents, returns_cents
         FROM ingest.store_daily_sales WHERE store_id = $1 ORDER BY business_date`,
      [storeId],
    );
    const shopper = `(SELECT shopper_id FROM ingest.cards WHERE card_number = $1)`;
    const sums = {
      weeks: await db.query(
        `SELECT to_char(week_start, 'YYYY-MM-DD') AS week, spend_cents, visits FROM ingest.shopper_weeks
          WHERE shopper_id = ${shopper} ORDER BY week_start`,
        [cardNumber],
      ),
      products: await db.query(
        `SELECT sku, department, category, brand, spend_cents, units, purchases,
                to_char(first_bought_on, 'YYYY-MM-DD') AS first, to_char(last_bought_on, 'YYYY-MM-DD') AS last
           FROM ingest.shopper_products WHERE shopper_id = ${shopper} ORDER BY sku`,
        [cardNumber],
      ),
      stores: await db.query(
        `SELECT store_id, visits, spend_cents, to_char(last_visit_on, 'YYYY-MM-DD') AS last
           FROM ingest.shopper_stores WHERE shopper_id = ${shopper} ORDER BY store_id`,
        [cardNumber],
      ),
      facts: (
        await db.query(
          `SELECT to_json(recent_visit_days) AS recent_visit_days, top_departments, top_categories, top_brands,
                  top_products, favourite_stores
             FROM ingest.shopper_profiles WHERE shopper_id = ${shopper}`,
          [cardNumber],
        )
      )[0],
    };
    return { profile, days, sums };
  }

  /** The points-earned events of these causes, once every one of them reached the topic. */
  async function pointsEvents(...causes: PosTransaction[]): Promise<PointsEarnedV1[]> {
    const wanted = new Set(causes.map(transactionKey));
    const seen = new Set<string>();
    const read = await readUntil(TOPICS.pointsEarned, (m) => {
      const cause = (JSON.parse(m.value?.toString() ?? '{}') as PointsEarnedV1).cause;
      if (wanted.has(cause)) seen.add(cause);
      return seen.size === wanted.size;
    });
    return read
      .map((m) => JSON.parse(m.value?.toString() ?? '{}') as PointsEarnedV1)
      .filter((e) => wanted.has(e.cause));
  }

  it('stores a redelivered batch once and changes nothing the second time', async () => {
    const storeId = `store-${makeCardNumber()}`;
    const cardNumber = makeCardNumber();
    const batch = [
      makeTransaction({ storeId, cardNumber }),
      makeTransaction({ storeId, cardNumber }),
    ];
    expect(await project(...batch)).toEqual({
      projected: 2,
      duplicates: 0,
      households: [householdIdForCard(cardNumber)],
    });
    const before = await stateOf(cardNumber, storeId);
    expect(await project(...batch, ...batch)).toEqual({
      projected: 0,
      duplicates: 4,
      households: [],
    });
    expect(await stateOf(cardNumber, storeId)).toEqual(before);
    expect(before.profile.visits).toBe(2);
    expect(before.profile.points_balance).toBe('6');
    const events = await pointsEvents(...batch);
    expect(events.map((e) => e.points)).toEqual([3, 3]);
  });

  it('stores every field as sent, text with backslashes, quotes and escapes included', async () => {
    const tx = {
      ...FULL_TRANSACTION,
      storeId: `store-${makeCardNumber()}`,
      cardNumber: makeCardNumber(),
      type: 'sale' as const,
      originalPosTransactionId: undefined,
      lines: FULL_TRANSACTION.lines.map((line) => ({
        ...line,
        description: String.raw`Crème "fraîche" 50% \N \t \ C:\x\ – 🧀`,
      })),
    };
    expect(await project(tx)).toEqual({
      projected: 1,
      duplicates: 0,
      households: [householdIdForCard(tx.cardNumber)],
    });
    const [stored] = await db.query(
      `SELECT terminal_id, cashier_id, to_char(business_date, 'YYYY-MM-DD') AS business_date, type,
              original_pos_transaction_id, card_number, occurred_at, utc_offset, total_cents::int, lines,
              tenders, applied_offers, received_at
         FROM ingest.transactions WHERE store_id = $1 AND pos_transaction_id = $2`,
      [tx.storeId, tx.posTransactionId],
    );
    expect(stored).toEqual({
      terminal_id: tx.terminalId,
      cashier_id: tx.cashierId,
      business_date: tx.businessDate,
      type: 'sale',
      original_pos_transaction_id: null,
      card_number: tx.cardNumber,
      occurred_at: new Date(tx.occurredAt),
      utc_offset: '-05:00',
      total_cents: tx.totalCents,
      lines: tx.lines,
      tenders: tx.tenders,
      applied_offers: tx.appliedOffers,
      received_at: new Date('2026-11-20T22:42:11.000Z'),
    });
  });

  it('publishes points: a sale earns, a return reverses in proportion, the balance is their sum', async () => {
    const storeId = `store-${makeCardNumber()}`;
    const cardNumber = makeCardNumber();
    const sale = makeTransaction({
      storeId,
      cardNumber,
      lines: [makeLine({ amountCents: 10_550 })],
    });
    const back = makeTransaction({
      storeId,
      cardNumber,
      type: 'return',
      originalPosTransactionId: sale.posTransactionId,
      lines: [makeLine({ amountCents: 5_275 })],
    });
    await project(sale);
    await project(back);
    const { profile } = await stateOf(cardNumber, storeId);
    expect(profile).toMatchObject({
      lifetime_spend_cents: '5275',
      visits: 1,
      points_balance: '53',
    });
    const householdId = householdIdForCard(cardNumber);
    expect(await pointsEvents(sale, back)).toEqual([
      {
        cause: transactionKey(sale),
        householdId,
        cardNumber,
        kind: 'earn',
        points: 105,
        occurredAt: sale.occurredAt,
      },
      {
        cause: transactionKey(back),
        householdId,
        cardNumber,
        kind: 'reverse',
        points: -52,
        occurredAt: back.occurredAt,
      },
    ]);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM ingest.points_ledger`);
    expect(n).toBe(0);
  });

  it('ends in the same state whatever the order: sales, returns, voids, late and duplicated', async () => {
    const storeId = `store-${makeCardNumber()}`;
    const scenario = (cardNumber: string) => {
      const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T10:00:00-05:00`;
      const sale = (id: string, day: number, cents: number, department = 'DAIRY') =>
        makeTransaction({
          storeId,
          cardNumber,
          posTransactionId: `${cardNumber}:${id}`,
          occurredAt: at(day),
          businessDate: `2026-11-${String(day).padStart(2, '0')}`,
          lines: [makeLine({ department, amountCents: cents })],
        });
      const first = sale('s1', 1, 1_000);
      const voidedFirst = sale('s2', 2, 2_000, 'MEAT');
      const last = sale('s3', 5, 3_000);
      const returned = {
        ...sale('r1', 6, 400),
        type: 'return' as const,
        originalPosTransactionId: last.posTransactionId,
      };
      const voidTx = {
        ...sale('v1', 7, 0),
        type: 'void' as const,
        originalPosTransactionId: voidedFirst.posTransactionId,
        lines: [],
        tenders: [],
        totalCents: 0,
      };
      return [first, voidedFirst, last, returned, voidTx];
    };
    const inOrder = makeCardNumber();
    const [a, b, c, d, e] = scenario(inOrder);
    await project(a, b);
    await project(c, d, e);
    const shuffled = makeCardNumber();
    const [f, g, h, i, j] = scenario(shuffled);
    await project(j, i);
    await project(h, i);
    await project(g, f, j);

    const expected = await stateOf(inOrder, storeId);
    const actual = await stateOf(shuffled, storeId);
    expect(actual.profile).toEqual(expected.profile);
    expect(actual.sums).toEqual(expected.sums);
    // s1 (1 Nov) and s3 (5 Nov, 400 of it and one unit returned on 6 Nov) stand; s2 was voided.
    expect(expected.sums).toEqual({
      weeks: [
        { week: '2026-10-26', spend_cents: '1000', visits: 1 },
        { week: '2026-11-02', spend_cents: '2600', visits: 1 },
      ],
      products: [
        {
          sku: 'sku-milk',
          department: 'DAIRY',
          category: null,
          brand: null,
          spend_cents: '3600',
          units: '1.000',
          purchases: 2,
          first: '2026-11-01',
          last: '2026-11-05',
        },
      ],
      stores: [{ store_id: storeId, visits: 2, spend_cents: '3600', last: '2026-11-05' }],
      facts: {
        recent_visit_days: ['2026-11-05', '2026-11-01'],
        top_departments: [{ name: 'DAIRY', spendCents: 3600, units: 1 }],
        top_categories: [],
        top_brands: [],
        top_products: [{ name: 'sku-milk', spendCents: 3600, units: 1 }],
        favourite_stores: [{ name: storeId, visits: 2, spendCents: 3600 }],
      },
    });
    expect(expected.profile).toMatchObject({
      lifetime_spend_cents: '3600',
      visits: 2,
      spend_by_department_cents: { DAIRY: 3_600 },
      points_balance: '36',
    });
    expect(expected.profile.first_visit_at.toISOString()).toBe('2026-11-01T15:00:00.000Z');
    expect(expected.profile.last_visit_at.toISOString()).toBe('2026-11-05T15:00:00.000Z');
    // Both cards shopped at the same store on the same days: each day counts both, voids taken back.
    expect(expected.days).toEqual([
      {
        day: '2026-11-01',
        sales: 2,
        returns: 0,
        anonymous_sales: 0,
        sales_cents: '2000',
        returns_cents: '0',
      },
      {
        day: '2026-11-02',
        sales: 0,
        returns: 0,
        anonymous_sales: 0,
        sales_cents: '0',
        returns_cents: '0',
      },
      {
        day: '2026-11-05',
        sales: 2,
        returns: 0,
        anonymous_sales: 0,
        sales_cents: '6000',
        returns_cents: '0',
      },
      {
        day: '2026-11-06',
        sales: 0,
        returns: 2,
        anonymous_sales: 0,
        sales_cents: '0',
        returns_cents: '800',
      },
    ]);
  });

  it('keeps the lifetime top lists bounded, the others summed in a rest entry', async () => {
    const cardNumber = makeCardNumber();
    const storeIds = ['a', 'b', 'c', 'd'].map((s) => `store-${s}-${cardNumber}`);
    // SKU i costs 100 * (i + 1) cents, in department D{i % 12}, brand B{i % 11}; 24 SKUs.
    const lines = Array.from({ length: 24 }, (_, i) =>
      makeLine({
        sku: `sku-${String(i).padStart(2, '0')}`,
        department: `D${String(i % 12).padStart(2, '0')}`,
        category: `C${String(i % 12).padStart(2, '0')}`,
        brand: i < 22 ? `B${String(i % 11).padStart(2, '0')}` : undefined,
        quantity: 2,
        unitPriceCents: 50 * (i + 1),
        amountCents: 100 * (i + 1),
      }),
    );
    // The whole basket once at store a, then SKU 0 alone five times at b, b, c, c and d.
    await project(
      makeTransaction({ storeId: storeIds[0], cardNumber, lines }),
      ...[1, 1, 2, 2, 3].map((s) =>
        makeTransaction({ storeId: storeIds[s], cardNumber, lines: [lines[0]] }),
      ),
    );
    await foldProductFacts();
    const [facts] = await db.query(
      `SELECT top_departments, top_categories, top_brands, top_products, favourite_stores
         FROM ingest.shopper_profiles WHERE shopper_id = $1`,
      [householdIdForCard(cardNumber)],
    );
    // Department Dd holds SKUs d and d + 12; D00 also the five more sales of SKU 0.
    const department = (d: number) => ({
      name: `D${String(d).padStart(2, '0')}`,
      spendCents: 100 * (d + 1) + 100 * (d + 13) + (d === 0 ? 500 : 0),
      units: d === 0 ? 14 : 4,
    });
    expect(facts.top_departments).toEqual([
      ...[11, 10, 9, 8, 7, 6, 5, 4, 3, 0].map(department),
      { rest: true, spendCents: department(2).spendCents + department(1).spendCents, units: 8 },
    ]);
    expect(facts.top_categories).toHaveLength(11);
    expect(facts.top_brands).toHaveLength(11);
    expect(facts.top_brands.at(-1)).toEqual({ rest: true, spendCents: 200 + 1_300, units: 4 });
    expect(facts.top_products).toHaveLength(21);
    expect(facts.top_products[0]).toEqual({ name: 'sku-23', spendCents: 2_400, units: 2 });
    expect(facts.top_products[19]).toEqual({ name: 'sku-05', spendCents: 600, units: 2 });
    expect(facts.top_products).toContainEqual({ name: 'sku-00', spendCents: 600, units: 12 });
    expect(facts.top_products[20]).toEqual({
      rest: true,
      spendCents: 500 + 400 + 300 + 200,
      units: 8,
    });
    expect(facts.favourite_stores).toEqual([
      { name: storeIds[1], visits: 2, spendCents: 200 },
      { name: storeIds[2], visits: 2, spendCents: 200 },
      { name: storeIds[0], visits: 1, spendCents: 30_000 },
      { rest: true, visits: 1, spendCents: 100 },
    ]);
  });

  it('dead-letters a poison message with the reason and keeps consuming', async () => {
    const { app: consuming, groupId } = await startPosIngestWithOwnGroup();
    try {
      const cardNumber = makeCardNumber();
      const poisons = [
        '{not json',
        JSON.stringify({ ...recorded(makeTransaction({ cardNumber })), type: 'gift' }),
      ];
      const landed = await produce(
        TOPICS.transactionRecorded,
        poisons.map((value) => ({ key: cardNumber, value })),
      );
      const good = recorded(makeTransaction({ cardNumber }));
      await produce(TOPICS.transactionRecorded, [{ key: cardNumber, value: JSON.stringify(good) }]);
      // Asserted once the projector committed all three: no redelivery can change anything after.
      await waitForDrain(groupId, TOPICS.transactionRecorded);
      expect((await stateOf(cardNumber, 'store-1')).profile?.visits).toBe(1);

      const dlq = deadLetterTopic(TOPICS.transactionRecorded);
      const notJson = await findMessage(
        dlq,
        (m) => m.key?.toString() === cardNumber && m.value?.toString() === poisons[0],
      );
      expect(notJson.headers?.['dlq-reason']?.toString()).toBe('value is not JSON');
      expect(notJson.headers?.['dlq-original-offset']?.toString()).toBe(landed[0].baseOffset);
      const badType = await findMessage(
        dlq,
        (m) => m.key?.toString() === cardNumber && m.value?.toString() === poisons[1],
      );
      expect(badType.headers?.['dlq-reason']?.toString()).toContain('type');
      expect(badType.headers?.['dlq-original-topic']?.toString()).toBe(TOPICS.transactionRecorded);
    } finally {
      await consuming.close();
    }
    // Longer than its waits: the drain (60 s), two dead-letter reads (30 s each), the app's start.
  }, 180_000);
});
