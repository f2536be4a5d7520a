import { TOPICS, deadLetterTopic } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openDatabase, startPosIngest, startPosIngestWithOwnGroup } from './support/apps';
import { findMessage, produce, waitForDrain } from './support/kafka';
import {
  asMessages,
  expectedTotals,
  pointsEventCount,
  makeSales,
  storedCount,
  totalsMatch,
} from './support/sales-oracle';

// Faults against the projector, each shown to have happened, then checked against an oracle
// computed from what was sent: nothing lost, nothing counted twice. Faults that need a projector
// process of its own (killed, frozen, several at once, database restarted) are in
// projector-faults.e2e-spec.ts.
//
// Assertions come after the projector's group has drained the topic (committed every message,
// and it commits only after the effects): a count that looks right while duplicates are still in
// flight proves nothing.

const TOPIC = TOPICS.transactionRecorded;
// Bounds of the waits, for a machine at least twice as slow as ours (3,000 messages drain in a
// few seconds here); each test's timeout is the sum of its waits and a margin.
const DRAIN_MS = 60_000;
// A new group reads the topic from its start: every message of the run so far (the mock broker
// keeps about 5 MB per partition).
const REPLAY_MS = 180_000;
const FIND_MS = 30_000;
const MARGIN_MS = 30_000;

describe('projector reliability', () => {
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

  it(
    'counts each of 1,000 transactions once when every one is delivered three times',
    async () => {
      const sales = makeSales(1_000);
      const messages = asMessages(sales);
      // The fault: every message three times, in three rounds.
      for (let round = 0; round < 3; round++) await produce(TOPIC, messages);
      await waitForDrain(groupId, TOPIC, DRAIN_MS);

      expect(await storedCount(db, sales)).toBe(sales.length);
      expect(await totalsMatch(db, expectedTotals(sales))).toBe(true);
      expect(await pointsEventCount(sales, FIND_MS)).toBe(sales.length);
    },
    DRAIN_MS + FIND_MS + MARGIN_MS,
  );

  it(
    'dead-letters one poison message among a thousand good ones and projects all the good ones',
    async () => {
      const sales = makeSales(1_000);
      const messages = asMessages(sales);
      const poison = { key: messages[500].key, value: '{"posTransactionId": 42}' };
      await produce(TOPIC, [...messages.slice(0, 500), poison, ...messages.slice(500)]);
      await waitForDrain(groupId, TOPIC, DRAIN_MS);

      expect(await storedCount(db, sales)).toBe(sales.length);
      expect(await totalsMatch(db, expectedTotals(sales))).toBe(true);
      // Dead-lettered before its offset was committed, so it is on the topic by now.
      const dead = await findMessage(
        deadLetterTopic(TOPIC),
        (m) => m.value?.toString() === poison.value,
        FIND_MS,
      );
      expect(dead.headers?.['dlq-reason']?.toString()).toContain('posTransactionId');
    },
    DRAIN_MS + FIND_MS + MARGIN_MS,
  );

  it(
    'leaves every profile unchanged when a new consumer group replays the topic from its start',
    async () => {
      const sales = makeSales(300);
      await produce(TOPIC, asMessages(sales));
      await waitForDrain(groupId, TOPIC, DRAIN_MS);
      const expected = expectedTotals(sales);
      expect(await totalsMatch(db, expected)).toBe(true);

      const replayGroup = `pos-ingest.replay-${randomUUID()}`;
      const replay = await startPosIngest({ PROJECTOR_GROUP_ID: replayGroup });
      try {
        // The fault happened: the replaying group read the topic (from its start) past our messages.
        await waitForDrain(replayGroup, TOPIC, REPLAY_MS);
      } finally {
        await replay.close();
      }
      expect(await totalsMatch(db, expected)).toBe(true);
      expect(await storedCount(db, sales)).toBe(sales.length);
      expect(await pointsEventCount(sales, FIND_MS)).toBe(sales.length);
    },
    DRAIN_MS + REPLAY_MS + FIND_MS + MARGIN_MS,
  );
});
