import { PosTransaction, TOPICS, deadLetterTopic } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { transactionMessageKey } from '../apps/pos-ingest/src/intake/intake.service';
import { eventually, openDatabase, startPosIngest } from './support/apps';
import { makeCardNumber, makeLine, makeTransaction } from './support/factories';
import { findMessage, produce } from './support/kafka';

// Faults against the projector, each shown to have happened, then checked against an oracle
// computed here from what was sent: nothing lost, nothing counted twice.

interface Oracle {
  spendCents: number;
  visits: number;
  points: number;
}

/** What each card must end with: sums over the distinct sales sent (1 point per 100 cents). */
function oracle(sales: readonly PosTransaction[]): Map<string, Oracle> {
  const byCard = new Map<string, Oracle>();
  for (const tx of sales) {
    const o = byCard.get(tx.cardNumber as string) ?? { spendCents: 0, visits: 0, points: 0 };
    byCard.set(tx.cardNumber as string, {
      spendCents: o.spendCents + tx.totalCents,
      visits: o.visits + 1,
      points: o.points + Math.floor(tx.totalCents / 100),
    });
  }
  return byCard;
}

describe('projector reliability', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startPosIngest();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  /** 1,000 sales over 50 new cards, amounts varied so that sums would show any double count. */
  function makeSales(count = 1_000): PosTransaction[] {
    const cards = Array.from({ length: 50 }, makeCardNumber);
    return Array.from({ length: count }, (_, i) =>
      makeTransaction({
        cardNumber: cards[i % cards.length],
        lines: [makeLine({ amountCents: 101 + ((i * 37) % 997) })],
      }),
    );
  }

  const asMessages = (txs: readonly PosTransaction[]) =>
    txs.map((tx) => ({
      key: transactionMessageKey(tx),
      value: JSON.stringify({ ...tx, receivedAt: new Date().toISOString() }),
    }));

  async function actual(cards: readonly string[]): Promise<Map<string, Oracle>> {
    const rows: { card_number: string; spend: string; visits: number; points: string }[] =
      await db.query(
        `SELECT c.card_number, p.lifetime_spend_cents AS spend, p.visits, p.points_balance AS points
         FROM ingest.shopper_profiles p JOIN ingest.cards c USING (shopper_id) WHERE c.card_number = ANY($1::text[])`,
        [cards],
      );
    return new Map(
      rows.map((r) => [
        r.card_number,
        { spendCents: Number(r.spend), visits: r.visits, points: Number(r.points) },
      ]),
    );
  }

  async function stored(sales: readonly PosTransaction[]): Promise<number> {
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM ingest.transactions WHERE pos_transaction_id = ANY($1::text[])`,
      [sales.map((s) => s.posTransactionId)],
    );
    return n;
  }

  it('counts each of 1,000 transactions once when every one is delivered three times', async () => {
    const sales = makeSales();
    const messages = asMessages(sales);
    // The fault: every message three times, in three rounds.
    for (let round = 0; round < 3; round++) await produce(TOPICS.transactionRecorded, messages);
    await eventually(async () => (await stored(sales)) === sales.length, 60_000);
    const expected = oracle(sales);
    await eventually(async () => {
      const got = await actual([...expected.keys()]);
      return [...expected].every(
        ([card, o]) => JSON.stringify(got.get(card)) === JSON.stringify(o),
      );
    }, 60_000);
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM ingest.points_ledger WHERE source_id = ANY($1::text[])`,
      [sales.map((s) => `${s.storeId}:${s.posTransactionId}`)],
    );
    expect(n).toBe(sales.length);
  });

  it('dead-letters one poison message among a thousand good ones and projects all the good ones', async () => {
    const sales = makeSales();
    const messages = asMessages(sales);
    const poison = { key: messages[500].key, value: '{"posTransactionId": 42}' };
    await produce(TOPICS.transactionRecorded, [
      ...messages.slice(0, 500),
      poison,
      ...messages.slice(500),
    ]);
    await eventually(async () => (await stored(sales)) === sales.length, 60_000);
    const dead = await findMessage(
      deadLetterTopic(TOPICS.transactionRecorded),
      (m) => m.value?.toString() === poison.value,
    );
    expect(dead.headers?.['dlq-reason']?.toString()).toContain('posTransactionId');
    const expected = oracle(sales);
    expect(await actual([...expected.keys()])).toEqual(expected);
  });

  it('leaves every profile unchanged when a new consumer group replays the topic from its start', async () => {
    const sales = makeSales(300);
    await produce(TOPICS.transactionRecorded, asMessages(sales));
    await eventually(async () => (await stored(sales)) === sales.length, 60_000);
    const expected = oracle(sales);
    await eventually(
      async () =>
        JSON.stringify([...(await actual([...expected.keys()]))].sort()) ===
        JSON.stringify([...expected].sort()),
    );

    const groupId = `pos-ingest.replay-${randomUUID()}`;
    const replay = await startPosIngest({ PROJECTOR_GROUP_ID: groupId });
    try {
      // The fault happened: the replaying group read the topic (from its start) past our messages.
      const admin = new Kafka({
        clientId: 'test',
        brokers: (process.env.KAFKA_BROKERS as string).split(','),
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      const lastOffsets = await admin.fetchTopicOffsets(TOPICS.transactionRecorded);
      await eventually(async () => {
        const [committed] = await admin.fetchOffsets({
          groupId,
          topics: [TOPICS.transactionRecorded],
        });
        return committed.partitions.every(
          (p) =>
            Number(p.offset) >= Number(lastOffsets.find((o) => o.partition === p.partition)?.high),
        );
      }, 120_000);
      await admin.disconnect();
    } finally {
      await replay.close();
    }
    expect(await actual([...expected.keys()])).toEqual(expected);
    expect(await stored(sales)).toBe(sales.length);
  });
});
