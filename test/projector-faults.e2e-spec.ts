import { PosTransaction, TOPICS } from '@loyalty/domain';
import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { eventually, openDatabase } from './support/apps';
import { produce, startGroupAtEnd } from './support/kafka';
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
// Each test uses a consumer group of its own that starts at the topic's current end.

const TOPIC = TOPICS.transactionRecorded;
// Processes start from the sources (several seconds each) and the faults take their time.
const FAULT_TEST_TIMEOUT_MS = 300_000;
// The group gives up on a dead or frozen member after 6 s (the broker's minimum), not 30 s.
const SHORT_SESSION = { PROJECTOR_SESSION_TIMEOUT_MS: '6000' };

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
      const env = { PROJECTOR_GROUP_ID: await newGroup(), ...SHORT_SESSION };
      const sent: PosTransaction[] = [];
      const kills: { signal: unknown; stored: number; sent: number }[] = [];
      // Lives until three kills have landed mid-stream (one that came after the last commit does
      // not count), at most ten.
      for (let life = 0; life < 10 && kills.length < 3; life++) {
        const chunks = Array.from({ length: 10 }, () => makeSales(600, 200));
        sent.push(...chunks.flat());
        const projector = launch(env);
        await projector.joined();
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
      await eventually(async () => (await storedCount(db, sent)) === sent.length, 120_000);

      // The fault happened: three kills with work in hand, each followed by a restart.
      expect(kills).toHaveLength(3);
      for (const kill of kills) {
        expect(kill.signal).toBe('SIGKILL');
        expect(kill.stored).toBeLessThan(kill.sent);
      }
      await eventually(() => totalsMatch(db, expectedTotals(sent)));
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'moves the partitions of a projector frozen past its session timeout and counts its work once',
    async () => {
      const env = { PROJECTOR_GROUP_ID: await newGroup(), ...SHORT_SESSION };
      const frozen = launch(env);
      const peer = launch(env);
      await eventually(async () => settled([frozen, peer]), 60_000);

      // The stream keeps flowing for seconds after the freeze: the frozen member had work coming.
      const chunks = Array.from({ length: 40 }, () => makeSales(300, 200));
      const sales = chunks.flat();
      const producing = produceSteadily(chunks);
      await eventually(async () => (await storedCount(db, sales)) > 0);
      const peerJoins = peer.assignments().length;
      frozen.signal('SIGSTOP');
      const storedWhenFrozen = await storedCount(db, sales);
      await producing;
      // The fault: the group gave up on the frozen member and its peer took all partitions.
      await eventually(
        async () => peer.assignments().length > peerJoins && lastAssignment(peer).length === 4,
        60_000,
      );
      const frozenJoins = frozen.assignments().length;
      frozen.signal('SIGCONT');
      await eventually(async () => (await storedCount(db, sales)) === sales.length, 120_000);
      // Frozen mid-stream; woken up, it found itself out of the group and joined again.
      expect(storedWhenFrozen).toBeLessThan(sales.length);
      await eventually(async () => frozen.assignments().length > frozenJoins, 60_000);

      await eventually(() => totalsMatch(db, expectedTotals(sales)));
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'ends with the same profiles with three projector processes in one group as with one',
    async () => {
      const oneDatabase = `loyalty_test_one_projector_${Date.now()}`;
      const oneUrl = await createTestDatabase(oneDatabase);
      const oneDb = await openDatabase(oneUrl);
      try {
        const one = launch({
          PROJECTOR_GROUP_ID: await newGroup(),
          DATABASE_URL: oneUrl,
          ...SHORT_SESSION,
        });
        const threeGroup = await newGroup();
        const three = [1, 2, 3].map(() =>
          launch({ PROJECTOR_GROUP_ID: threeGroup, ...SHORT_SESSION }),
        );
        await one.joined();
        await eventually(async () => settled(three), 60_000);

        const stream = makeMixedStream(3_000, 150);
        // Over several seconds, as stores send: a member the mock broker makes rejoin its group
        // (a few seconds out) still gets its share.
        await produceSteadily(
          Array.from({ length: Math.ceil(stream.length / 50) }, (_, i) =>
            stream.slice(i * 50, (i + 1) * 50),
          ),
        );
        await eventually(async () => (await storedCount(db, stream)) === stream.length, 120_000);
        await eventually(async () => (await storedCount(oneDb, stream)) === stream.length, 120_000);

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
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'backs off while PostgreSQL is down and projects everything once after it restarts',
    async () => {
      const postgres = await ScratchPostgres.create();
      const scratchDb = await openDatabase(postgres.url);
      try {
        const projector = launch({
          PROJECTOR_GROUP_ID: await newGroup(),
          DATABASE_URL: postgres.url,
          ...SHORT_SESSION,
        });
        await projector.joined();

        // The stream keeps flowing while the database is down.
        const chunks = Array.from({ length: 20 }, () => makeSales(200, 100));
        const sales = chunks.flat();
        const producing = produceSteadily(chunks);
        await eventually(async () => (await storedCount(scratchDb, sales)) > 0);
        postgres.crash();
        await producing;
        await sleep(5_000);
        // The fault: the projector's batches failed while the server was down.
        const failedBatches = projector
          .logs()
          .filter(
            (l) => l.topic === TOPIC && /ECONNREFUSED|Connection terminated/.test(String(l.stack)),
          );
        expect(failedBatches.length).toBeGreaterThan(0);
        postgres.start();

        await eventually(
          async () => (await storedCount(scratchDb, sales)) === sales.length,
          120_000,
        );
        expect(projector.logs().filter((l) => l.msg === 'Dead-lettering message')).toEqual([]);
        await eventually(() => totalsMatch(scratchDb, expectedTotals(sales)));
      } finally {
        await scratchDb.destroy();
        await Promise.all(processes.splice(0).map((p) => p.stop()));
        postgres.destroy();
      }
    },
    FAULT_TEST_TIMEOUT_MS,
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
