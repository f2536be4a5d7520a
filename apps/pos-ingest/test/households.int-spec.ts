import {
  HouseholdChangedV1,
  NO_CONSENT,
  PosTransaction,
  TOPICS,
  TransactionRecordedV1,
  deadLetterTopic,
  householdIdForCard,
} from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { runJobByHand } from './support/run-job-by-hand';
import { HouseholdsService } from '../src/households/households.service';
import { ProjectionService } from '../src/transactions/projection.service';
import {
  eventually,
  openDatabase,
  startPosIngest,
  startPosIngestWithOwnGroup,
} from '../../../test/support/apps';
import { makeCardNumber, makeLine, makeTransaction } from '../../../test/support/factories';
import { findMessage, produce, waitForDrain } from '../../../test/support/kafka';
import { asMessages } from '../../../test/support/sales-oracle';

describe('pos-ingest household copy', () => {
  let app: NestFastifyApplication;
  let db: DataSource;
  let projection: ProjectionService;
  let households: HouseholdsService;

  beforeAll(async () => {
    db = await openDatabase();
    // The consumers stay off: these tests drive the services directly.
    app = await startPosIngest({ PROJECTOR_ENABLED: 'false' });
    projection = app.get(ProjectionService);
    households = app.get(HouseholdsService);
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const project = (...txs: PosTransaction[]) =>
    projection.projectBatch(
      txs.map((tx): TransactionRecordedV1 => ({ ...tx, receivedAt: '2026-11-20T22:42:11.000Z' })),
      new Date(),
    );

  function household(overrides: Partial<HouseholdChangedV1> = {}): HouseholdChangedV1 {
    return {
      householdId: randomUUID(),
      version: 1,
      changedAt: '2026-11-21T10:00:00.000Z',
      cards: [],
      mergedInto: null,
      registered: true,
      enrolledOn: '2026-11-21',
      birthday: '04-17',
      homeStoreId: 'store-1',
      consent: NO_CONSENT,
      ...overrides,
    };
  }

  const sale = (cardNumber: string, amountCents: number, day = 20) =>
    makeTransaction({
      cardNumber,
      businessDate: `2026-11-${day}`,
      occurredAt: `2026-11-${day}T10:00:00-05:00`,
      lines: [makeLine({ sku: `sku-${amountCents}`, amountCents, unitPriceCents: amountCents })],
    });

  async function profileOf(shopperId: string) {
    const [row] = await db.query(
      `SELECT lifetime_spend_cents::int AS spend, visits, points_balance::int AS points,
              to_json(recent_visit_days) AS days, top_products
         FROM ingest.shopper_profiles WHERE shopper_id = $1`,
      [shopperId],
    );
    return row;
  }

  async function sumsOf(shopperId: string) {
    const [row] = await db.query(
      `SELECT (SELECT coalesce(sum(spend_cents), 0)::int FROM ingest.shopper_weeks WHERE shopper_id = $1) AS weeks,
              (SELECT coalesce(sum(spend_cents), 0)::int FROM ingest.shopper_products WHERE shopper_id = $1) AS products,
              (SELECT coalesce(sum(visits), 0)::int FROM ingest.shopper_stores WHERE shopper_id = $1) AS store_visits`,
      [shopperId],
    );
    return row;
  }

  const cardOwner = async (cardNumber: string) =>
    (
      await db.query(`SELECT shopper_id, status FROM ingest.cards WHERE card_number = $1`, [
        cardNumber,
      ])
    )[0];

  it('consumes household and erasure events, and dead-letters one that breaks the contract', async () => {
    const { app: consuming } = await startPosIngestWithOwnGroup();
    try {
      const card = makeCardNumber();
      const h = household({ cards: [{ cardNumber: card, status: 'active' }] });
      const poison = JSON.stringify({ ...h, version: 'two', cards: [{ cardNumber: 'x' }] });
      await produce(TOPICS.householdChanged, [
        { key: h.householdId, value: poison },
        { key: h.householdId, value: JSON.stringify(h) },
      ]);
      await eventually(async () => (await cardOwner(card))?.shopper_id === h.householdId);
      const dead = await findMessage(
        deadLetterTopic(TOPICS.householdChanged),
        (m) => m.value?.toString() === poison,
      );
      expect(dead.headers?.['dlq-reason']?.toString()).toMatch(/version|cards/);

      await produce(TOPICS.shopperErased, [
        {
          key: h.householdId,
          value: JSON.stringify({ householdId: h.householdId, erasedAt: '2026-11-23T08:00:00Z' }),
        },
      ]);
      await eventually(async () => (await cardOwner(card)) === undefined);
    } finally {
      await consuming.close();
    }
    // Longer than its waits: the app's start, two polls (30 s each) and a dead-letter read (30 s).
  }, 150_000);

  it('keeps the newest version: a redelivered or older event changes nothing', async () => {
    const v2 = household({ version: 2, birthday: '12-24', homeStoreId: 'store-2' });
    await households.apply(v2, new Date());
    await households.apply({ ...v2, version: 1, birthday: '01-01', homeStoreId: null }, new Date());
    await households.apply({ ...v2, birthday: '02-02' }, new Date());
    const [row] = await db.query(
      `SELECT household_version, birthday, home_store_id, registered, consent FROM ingest.shoppers WHERE id = $1`,
      [v2.householdId],
    );
    expect(row).toEqual({
      household_version: 2,
      birthday: '12-24',
      home_store_id: 'store-2',
      registered: true,
      consent: NO_CONSENT,
    });
  });

  it('gives a card to the household whose event listed it last, whatever the arrival order', async () => {
    const card = makeCardNumber();
    const earlier = household({
      changedAt: '2026-11-21T10:00:00.000Z',
      cards: [{ cardNumber: card, status: 'active' }],
    });
    const later = household({
      changedAt: '2026-11-21T11:00:00.000Z',
      cards: [{ cardNumber: card, status: 'lost' }],
    });
    await households.apply(later, new Date());
    await households.apply(earlier, new Date());
    expect(await cardOwner(card)).toEqual({ shopper_id: later.householdId, status: 'lost' });

    const other = makeCardNumber();
    const first = household({
      changedAt: '2026-11-21T10:00:00.000Z',
      cards: [{ cardNumber: other, status: 'active' }],
    });
    const second = household({
      changedAt: '2026-11-21T11:00:00.000Z',
      cards: [{ cardNumber: other, status: 'active' }],
    });
    await households.apply(first, new Date());
    await households.apply(second, new Date());
    expect((await cardOwner(other)).shopper_id).toBe(second.householdId);
  });

  it('moves a card seen at a till to the household that claims it, with its history', async () => {
    const card = makeCardNumber();
    const derived = householdIdForCard(card);
    await project(sale(card, 1_000, 18), sale(card, 2_500, 19));
    expect(await profileOf(derived)).toMatchObject({ spend: 3_500, visits: 2, points: 35 });

    const h = household({ cards: [{ cardNumber: card, status: 'active' }] });
    await households.apply(h, new Date());
    expect((await cardOwner(card)).shopper_id).toBe(h.householdId);
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM ingest.transactions WHERE card_number = $1 AND shopper_id = $2`,
      [card, h.householdId],
    );
    expect(n).toBe(2);
    expect(await profileOf(h.householdId)).toEqual({
      spend: 3_500,
      visits: 2,
      points: 35,
      days: ['2026-11-19', '2026-11-18'],
      top_products: [
        { name: 'sku-2500', spendCents: 2_500, units: 1 },
        { name: 'sku-1000', spendCents: 1_000, units: 1 },
      ],
    });
    expect(await sumsOf(h.householdId)).toEqual({ weeks: 3_500, products: 3_500, store_visits: 2 });
    expect(await profileOf(derived)).toEqual({
      spend: 0,
      visits: 0,
      points: 0,
      days: [],
      top_products: [],
    });
    expect(await sumsOf(derived)).toEqual({ weeks: 0, products: 0, store_visits: 0 });
    // The sales' product effects were still queued for the household the card left: the rebuild
    // counted them, so folding the queue now adds nothing, to neither household.
    await runJobByHand(app, 'product-facts');
    expect(await sumsOf(h.householdId)).toEqual({ weeks: 3_500, products: 3_500, store_visits: 2 });
    expect(await sumsOf(derived)).toEqual({ weeks: 0, products: 0, store_visits: 0 });

    // Later sales on the card count for the household.
    await project(sale(card, 700, 20));
    expect(await profileOf(h.householdId)).toMatchObject({ spend: 4_200, visits: 3 });
  });

  it('merges: the cards of the merged household and their history join the surviving one', async () => {
    const a = makeCardNumber();
    const b = makeCardNumber();
    const merged = household({ cards: [{ cardNumber: a, status: 'active' }] });
    const surviving = household({ cards: [{ cardNumber: b, status: 'active' }] });
    await households.apply(merged, new Date());
    await households.apply(surviving, new Date());
    await project(sale(a, 1_200), sale(b, 800));
    expect(await profileOf(merged.householdId)).toMatchObject({ spend: 1_200, visits: 1 });

    const at = '2026-11-22T09:00:00.000Z';
    await households.apply(
      { ...merged, version: 2, changedAt: at, cards: [], mergedInto: surviving.householdId },
      new Date(),
    );
    await households.apply(
      {
        ...surviving,
        version: 2,
        changedAt: at,
        cards: [
          { cardNumber: a, status: 'active' },
          { cardNumber: b, status: 'active' },
        ],
      },
      new Date(),
    );
    expect(await profileOf(surviving.householdId)).toMatchObject({
      spend: 2_000,
      visits: 2,
      points: 20,
    });
    expect(await profileOf(merged.householdId)).toMatchObject({ spend: 0, visits: 0, points: 0 });
    const [row] = await db.query(`SELECT merged_into FROM ingest.shoppers WHERE id = $1`, [
      merged.householdId,
    ]);
    expect(row.merged_into).toBe(surviving.householdId);
  });

  it('lands a sale on the right household when the till and the claim of its card race', async () => {
    const rounds = Array.from({ length: 12 }, () => {
      const card = makeCardNumber();
      return { card, first: sale(card, 1_000, 18), racing: sale(card, 300, 19) };
    });
    await project(...rounds.map((r) => r.first));
    const claims = rounds.map((r) =>
      household({ cards: [{ cardNumber: r.card, status: 'active' }] }),
    );
    // Half the rounds start the claim first, half the sale; each pair runs concurrently.
    await Promise.all(
      rounds.map((r, i) =>
        i % 2 === 0
          ? Promise.all([households.apply(claims[i], new Date()), project(r.racing)])
          : Promise.all([project(r.racing), households.apply(claims[i], new Date())]),
      ),
    );
    for (const [i, r] of rounds.entries()) {
      const owner = claims[i].householdId;
      const rows = await db.query(
        `SELECT shopper_id FROM ingest.transactions WHERE card_number = $1`,
        [r.card],
      );
      expect(rows).toEqual([{ shopper_id: owner }, { shopper_id: owner }]);
      expect(await profileOf(owner)).toMatchObject({ spend: 1_300, visits: 2 });
      expect(await profileOf(householdIdForCard(r.card))).toMatchObject({ spend: 0, visits: 0 });
    }
  });

  it('erases a household: no trace of its cards, also after the transaction topic is replayed', async () => {
    const { app: consuming, groupId } = await startPosIngestWithOwnGroup();
    const card = makeCardNumber();
    const derived = householdIdForCard(card);
    const h = household({ cards: [{ cardNumber: card, status: 'active' }] });
    const txs = [sale(card, 1_500, 17), sale(card, 2_000, 18)];
    try {
      await produce(TOPICS.transactionRecorded, asMessages(txs));
      await waitForDrain(groupId, TOPICS.transactionRecorded);
    } finally {
      await consuming.close();
    }
    await households.apply(h, new Date());
    expect(await profileOf(h.householdId)).toMatchObject({ spend: 3_500 });
    // Planted: what the intake and the lifecycle would have left.
    await db.query(
      `INSERT INTO ingest.intake_receipts (store_id, pos_transaction_id, body_sha256)
       SELECT store_id, pos_transaction_id, 'planted' FROM ingest.transactions WHERE card_number = $1
       ON CONFLICT DO NOTHING`,
      [card],
    );
    await db.query(
      `INSERT INTO ingest.lifecycle_transitions (shopper_id, to_segment, on_date) VALUES ($1, 'new', '2026-11-17')`,
      [h.householdId],
    );

    await households.erase({ householdId: h.householdId, erasedAt: '2026-11-23T08:00:00.000Z' });
    await expectNoTrace();
    // A later event of the erased household changes nothing.
    await households.apply({ ...h, version: 5, changedAt: '2026-11-24T08:00:00.000Z' }, new Date());
    await expectNoTrace();

    const replayGroup = `pos-ingest.replay-${randomUUID()}`;
    const replay = await startPosIngest({ PROJECTOR_GROUP_ID: replayGroup });
    try {
      await waitForDrain(replayGroup, TOPICS.transactionRecorded, 120_000);
    } finally {
      await replay.close();
    }
    // And a late transaction on the card is anonymous too.
    await project(sale(card, 999, 25));
    await expectNoTrace();

    async function expectNoTrace() {
      const [trace] = await db.query(
        `SELECT (SELECT count(*)::int FROM ingest.cards WHERE card_number = $1) AS cards,
                (SELECT count(*)::int FROM ingest.transactions WHERE card_number = $1 OR shopper_id = ANY($2::uuid[])) AS transactions,
                (SELECT count(*)::int FROM ingest.shoppers WHERE id = $3) AS derived_households,
                (SELECT count(*)::int FROM ingest.shopper_profiles WHERE shopper_id = ANY($2::uuid[])) AS profiles,
                (SELECT count(*)::int FROM ingest.shopper_weeks WHERE shopper_id = ANY($2::uuid[])) AS weeks,
                (SELECT count(*)::int FROM ingest.shopper_products WHERE shopper_id = ANY($2::uuid[])) AS products,
                (SELECT count(*)::int FROM ingest.product_fact_queue WHERE shopper_id = ANY($2::uuid[])) AS queued,
                (SELECT count(*)::int FROM ingest.shopper_stores WHERE shopper_id = ANY($2::uuid[])) AS stores,
                (SELECT count(*)::int FROM ingest.lifecycle_transitions WHERE shopper_id = ANY($2::uuid[])) AS transitions,
                (SELECT count(*)::int FROM ingest.intake_receipts WHERE body_sha256 = 'planted'
                    AND pos_transaction_id = ANY($4::text[])) AS receipts,
                (SELECT count(*)::int FROM ingest.transactions WHERE pos_transaction_id = ANY($4::text[])
                    AND card_number IS NULL AND shopper_id IS NULL) AS anonymous,
                (SELECT birthday FROM ingest.shoppers WHERE id = $5) AS birthday,
                (SELECT erased_at IS NOT NULL FROM ingest.shoppers WHERE id = $5) AS erased`,
        [
          card,
          [h.householdId, derived],
          derived,
          txs.map((t) => t.posTransactionId),
          h.householdId,
        ],
      );
      expect(trace).toEqual({
        cards: 0,
        transactions: 0,
        derived_households: 0,
        profiles: 0,
        weeks: 0,
        products: 0,
        queued: 0,
        stores: 0,
        transitions: 0,
        receipts: 0,
        anonymous: 2,
        birthday: null,
        erased: true,
      });
    }
    // Longer than its waits: two drains (60 s and 120 s) and two app starts.
  }, 240_000);
});
