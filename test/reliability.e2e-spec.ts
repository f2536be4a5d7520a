import { TOPICS, deadLetterTopic } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually, openDatabase, startPosIngest } from './support/apps';
import { findMessage, produce } from './support/kafka';
import {
  asMessages,
  expectedTotals,
  ledgerCount,
  makeSales,
  storedCount,
  totalsMatch,
} from './support/sales-oracle';

// Faults against the projector, each shown to have happened, then checked against an oracle
// computed from what was sent: nothing lost, nothing counted twice. Faults that need a projector
// process of its own (killed, frozen, several at once, database restarted) are in
// projector-faults.e2e-spec.ts.

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

  it('counts each of 1,000 transactions once when every one is delivered three times', async () => {
    const sales = makeSales(1_000);
    const messages = asMessages(sales);
    // The fault: every message three times, in three rounds.
    for (let round = 0; round < 3; round++) await produce(TOPICS.transactionRecorded, messages);
    await eventually(async () => (await storedCount(db, sales)) === sales.length, 60_000);
    await eventually(() => totalsMatch(db, expectedTotals(sales)), 60_000);
    expect(await ledgerCount(db, sales)).toBe(sales.length);
  });

  it('dead-letters one poison message among a thousand good ones and projects all the good ones', async () => {
    const sales = makeSales(1_000);
    const messages = asMessages(sales);
    const poison = { key: messages[500].key, value: '{"posTransactionId": 42}' };
    await produce(TOPICS.transactionRecorded, [
      ...messages.slice(0, 500),
      poison,
      ...messages.slice(500),
    ]);
    await eventually(async () => (await storedCount(db, sales)) === sales.length, 60_000);
    const dead = await findMessage(
      deadLetterTopic(TOPICS.transactionRecorded),
      (m) => m.value?.toString() === poison.value,
    );
    expect(dead.headers?.['dlq-reason']?.toString()).toContain('posTransactionId');
    expect(await totalsMatch(db, expectedTotals(sales))).toBe(true);
  });

  it('leaves every profile unchanged when a new consumer group replays the topic from its start', async () => {
    const sales = makeSales(300);
    await produce(TOPICS.transactionRecorded, asMessages(sales));
    await eventually(async () => (await storedCount(db, sales)) === sales.length, 60_000);
    const expected = expectedTotals(sales);
    await eventually(() => totalsMatch(db, expected));

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
    expect(await totalsMatch(db, expected)).toBe(true);
    expect(await storedCount(db, sales)).toBe(sales.length);
  });
});
