import { PosTransaction, TOPICS } from '@loyalty/domain';
import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { eventually, openDatabase } from './support/apps';
import { produce, startGroupAtEnd, waitForDrain } from './support/kafka';
import { ProjectorProcess } from './support/projector-process';
import {
  asMessages,
  expectedTotals,
  makeMixedStream,
  makeSales,
  storedCount,
  totalsMatch,
} from './support/sales-oracle';
import { ScratchPostgres } from './support/scratch-postgres';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

// Faults that need projector processes of their own: killed, frozen, several in one group, and
// their database restarted under them. Each test first shows the fault happened, then compares
// the profiles with an oracle computed from what was sent: nothing lost, nothing counted twice.
// Each test uses a consumer group of its own that starts at the topic's current end, and asserts
// only after that group has drained the topic (committed every message, which it does only after
// the effects): profiles that look right while redeliveries are still in flight prove nothing.

const TOPIC = TOPICS.transactionRecorded;
// Bounds of the waits, for a machine at least twice as slow as ours; each test's timeout is the
// sum of the waits inside it. A process starts from the sources and joins its group (seconds here).
const JOIN_MS = 60_000;
// Members that left or froze hold a rebalance up to their session timeout (6 s) before it settles.
const SETTLE_MS = 60_000;
// What a poll for a first effect or a logged failure may take.
const NOTICE_MS = 30_000;
// The stream (a few thousand sales) projected and committed, restarts and backoff included.
const DRAIN_MS = 120_000;
// Starting groups, producing, database connections and the final queries.
const MARGIN_MS = 60_000;
// The group gives up on a dead or frozen member after 6 s (the broker's minimum), not 30 s.
const SHORT_SESSION = { PROJECTOR_SESSION_TIMEOUT_MS: '6000' };
// The most lives the killed projector gets to have three kills land mid-stream.
const MAX_LIVES = 10;
// A life after its join: ten chunks produced 100 ms apart, the kill at a random point within.
const LIFE_MS = 10_000;

describe('projector processes under faults', () => {
  let db: DataSource;
  const processes: ProjectorProcess[] = [];

  function launch(env: Record<string, string>): ProjectorProcess {
    const projector = new ProjectorProcess(env);
    processes.push(projector);
    return projector;
  }

  async function newGroup(): Promise<string> {
    const groupId = `pos-ingest.faults-${randomUUID()}`;
    await startGroupAtEnd(groupId, TOPIC);
    return groupId;
  }

  /** Produces one chunk every 100 ms or so: a stream that keeps flowing while the fault happens. */
  async function produceSteadily(chunks: readonly PosTransaction[][]): Promise<void> {
    for (const chunk of chunks) {
      await produce(TOPIC, asMessages(chunk));
      await sleep(100);
    }
  }

  const lastAssignment = (p: ProjectorProcess) => p.assignments().at(-1) ?? [];

  /** Every member holds partitions and together they hold all four: the group has settled. */
  const settled = (members: ProjectorProcess[]) =>
    members.every((p) => lastAssignment(p).length > 0) &&
    new Set(members.flatMap(lastAssignment)).size === 4;

  beforeAll(async () => {
    db = await openDatabase();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
  });

  afterAll(async () => {
    await db.destroy();
  });

  it(
    'loses and double-counts nothing when the projector is killed (SIGKILL) at random points and restarted',
    async () => {
      const groupId = await newGroup();
      const env = { PROJECTOR_GROUP_ID: groupId, ...SHORT_SESSION };
      const sent: PosTransaction[] = [];
      const kills: { signal: unknown; stored: number; sent: number }[] = [];
      // Lives until three kills have landed mid-stream (one that came after the last commit does
      // not count), at most MAX_LIVES.
      for (let life = 0; life < MAX_LIVES && kills.length < 3; life++) {
        const chunks = Array.from({ length: 10 }, () => makeSales(600, 200));
        sent.push(...chunks.flat());
        const projector = launch(env);
        await projector.joined(JOIN_MS);
        const producing = produceSteadily(chunks);
        // A random point: fetching, in a database transaction, or between its commit and the
        // offset commit (which follows the batches of all partitions fetched together).
        await sleep(randomInt(0, 1_500));
        const signal = await projector.kill();
        const stored = await storedCount(db, sent);
        if (stored < sent.length) kills.push({ signal, stored, sent: sent.length });
        await producing;
      }
      launch(env);
      // The last life joins (after the dead members' sessions expire) and finishes the stream.
      await waitForDrain(groupId, TOPIC, JOIN_MS + DRAIN_MS);

      // The fault happened: three kills with work in hand, each followed by a restart.
      expect(kills).toHaveLength(3);
      for (const kill of kills) {
        expect(kill.signal).toBe('SIGKILL');
        expect(kill.stored).toBeLessThan(kill.sent);
      }
      expect(await storedCount(db, sent)).toBe(sent.length);
      expect(await totalsMatch(db, expectedTotals(sent))).toBe(true);
    },
    MAX_LIVES * (JOIN_MS + LIFE_MS) + JOIN_MS + DRAIN_MS + MARGIN_MS,
  );

  it(
    'moves the partitions of a projector frozen past its session timeout and counts its work once',
    async () => {
      const groupId = await newGroup();
      const env = { PROJECTOR_GROUP_ID: groupId, ...SHORT_SESSION };
      const frozen = launch(env);
      const peer = launch(env);
      await eventually(
        async () => settled([frozen, peer]),
        JOIN_MS + SETTLE_MS,
        'the two projectors holding all four partitions between them',
      );

      // The stream keeps flowing for seconds after the freeze: the frozen member had work coming.
      const chunks = Array.from({ length: 40 }, () => makeSales(300, 200));
      const sales = chunks.flat();
      const producing = produceSteadily(chunks);
      await eventually(
        async () => (await storedCount(db, sales)) > 0,
        NOTICE_MS,
        'a first sale of the stream stored',
      );
      const peerJoins = peer.assignments().length;
      frozen.signal('SIGSTOP');
      const storedWhenFrozen = await storedCount(db, sales);
      await producing;
      // The fault: the group gave up on the frozen member and its peer took all partitions.
      await eventually(
        async () => peer.assignments().length > peerJoins && lastAssignment(peer).length === 4,
        SETTLE_MS,
        'the peer holding all four partitions after the frozen member was given up on',
      );
      const frozenJoins = frozen.assignments().length;
      frozen.signal('SIGCONT');
      // Woken up, it found itself out of the group and joined again (redoing, if anything, the
      // batch it held when frozen); then the group finished the stream.
      await eventually(
        async () => frozen.assignments().length > frozenJoins,
        SETTLE_MS,
        'the woken projector joining its group again',
      );
      await waitForDrain(groupId, TOPIC, DRAIN_MS);

      // Frozen mid-stream.
      expect(storedWhenFrozen).toBeLessThan(sales.length);
      expect(await storedCount(db, sales)).toBe(sales.length);
      expect(await totalsMatch(db, expectedTotals(sales))).toBe(true);
    },
    JOIN_MS + 3 * SETTLE_MS + NOTICE_MS + DRAIN_MS + MARGIN_MS,
  );

  it(
    'ends with the same profiles with three projector processes in one group as with one',
    async () => {
      const oneDatabase = `loyalty_test_one_projector_${Date.now()}`;
      const oneUrl = await createTestDatabase(oneDatabase);
      const oneDb = await openDatabase(oneUrl);
      try {
        const oneGroup = await newGroup();
        const one = launch({
          PROJECTOR_GROUP_ID: oneGroup,
          DATABASE_URL: oneUrl,
          ...SHORT_SESSION,
        });
        const threeGroup = await newGroup();
        const three = [1, 2, 3].map(() =>
          launch({ PROJECTOR_GROUP_ID: threeGroup, ...SHORT_SESSION }),
        );
        await one.joined(JOIN_MS);
        await eventually(
          async () => settled(three),
          JOIN_MS + SETTLE_MS,
          'the three projectors each holding partitions, all four between them',
        );

        const stream = makeMixedStream(3_000, 150);
        // Over several seconds, as stores send: a member the mock broker makes rejoin its group
        // (a few seconds out) still gets its share.
        await produceSteadily(
          Array.from({ length: Math.ceil(stream.length / 50) }, (_, i) =>
            stream.slice(i * 50, (i + 1) * 50),
          ),
        );
        await waitForDrain(threeGroup, TOPIC, DRAIN_MS);
        await waitForDrain(oneGroup, TOPIC, DRAIN_MS);
        expect(await storedCount(db, stream)).toBe(stream.length);
        expect(await storedCount(oneDb, stream)).toBe(stream.length);

        // Each of the three projected its share of the stream.
        for (const projector of three) {
          expect(projector.logs().some((l) => l.msg === 'Projected batch' && l.projected)).toBe(
            true,
          );
        }
        const cards = [...new Set(stream.map((tx) => tx.cardNumber as string))];
        expect(await profiles(db, cards)).toEqual(await profiles(oneDb, cards));
        expect(await totalsMatch(db, expectedTotals(stream))).toBe(true);
      } finally {
        await oneDb.destroy();
        await Promise.all(processes.splice(0).map((p) => p.stop()));
        await dropTestDatabase(oneDatabase);
      }
    },
    2 * JOIN_MS + SETTLE_MS + 2 * DRAIN_MS + MARGIN_MS,
  );

  it(
    'backs off while PostgreSQL is down and projects everything once after it restarts',
    async () => {
      const postgres = await ScratchPostgres.create();
      const scratchDb = await openDatabase(postgres.url);
      try {
        const groupId = await newGroup();
        const projector = launch({
          PROJECTOR_GROUP_ID: groupId,
          DATABASE_URL: postgres.url,
          ...SHORT_SESSION,
        });
        await projector.joined(JOIN_MS);

        // The stream keeps flowing while the database is down.
        const chunks = Array.from({ length: 20 }, () => makeSales(200, 100));
        const sales = chunks.flat();
        const producing = produceSteadily(chunks);
        await eventually(
          async () => (await storedCount(scratchDb, sales)) > 0,
          NOTICE_MS,
          'a first sale of the stream stored',
        );
        postgres.crash();
        await producing;
        // The fault: the projector's batches failed while the server was down.
        await eventually(
          async () =>
            projector
              .logs()
              .some(
                (l) =>
                  l.topic === TOPIC && /ECONNREFUSED|Connection terminated/.test(String(l.stack)),
              ),
          NOTICE_MS,
          'the projector logging a batch failed for the database being down',
        );
        postgres.start();

        // It retries with backoff, then finishes the stream once the server is back.
        await waitForDrain(groupId, TOPIC, DRAIN_MS);
        expect(await storedCount(scratchDb, sales)).toBe(sales.length);
        // The transactions' consumer dead-lettered nothing (the process's other consumers read
        // topics where other suites plant poison on purpose).
        expect(
          projector.logs().filter((l) => l.msg === 'Dead-lettering message' && l.topic === TOPIC),
        ).toEqual([]);
        expect(await totalsMatch(scratchDb, expectedTotals(sales))).toBe(true);
      } finally {
        await scratchDb.destroy();
        await Promise.all(processes.splice(0).map((p) => p.stop()));
        postgres.destroy();
      }
    },
    JOIN_MS + 2 * NOTICE_MS + DRAIN_MS + MARGIN_MS,
  );
});

/** Every profile field that transactions decide, by card: what must not depend on the deployment. */
async function profiles(db: DataSource, cards: readonly string[]): Promise<unknown[]> {
  return db.query(
    `SELECT c.card_number, p.lifetime_spend_cents, p.visits, p.first_visit_at, p.last_visit_at,
            p.spend_by_department_cents, p.points_balance
     FROM ingest.shopper_profiles p JOIN ingest.cards c USING (shopper_id)
     WHERE c.card_number = ANY($1::text[]) ORDER BY c.card_number`,
    [cards],
  );
}
