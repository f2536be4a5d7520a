import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Job, JobContext, JobRunner } from './job-runner';

// The runner against the run's real PostgreSQL, on a jobs table of its own (an app's migration
// creates the same table in the app's schema).
const SCHEMA = `jobs_spec_${process.pid}`;
const TABLE = `${SCHEMA}.jobs`;

let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await new DataSource({
    type: 'postgres',
    url: process.env.DATABASE_URL,
    extra: { max: 8 },
  }).initialize();
  await dataSource.query(`CREATE SCHEMA ${SCHEMA}`);
  await dataSource.query(`
    CREATE TABLE ${TABLE} (
      name text PRIMARY KEY,
      period text NOT NULL,
      cursor text,
      state text NOT NULL CHECK (state IN ('running', 'done')),
      owner text,
      lease_until timestamptz,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await dataSource.query(`CREATE TABLE ${SCHEMA}.work (job text, period text, step int)`);
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
  await dataSource.destroy();
});

const daily = { daily: '02:30', timeZone: 'Europe/London' };

/** A job of `steps` steps; each step records itself and checkpoints in one transaction. */
function steppedJob(name: string, steps: number, failAfter?: number): Job {
  return {
    name,
    schedule: daily,
    async run(context: JobContext) {
      for (let step = Number(context.cursor ?? 0) + 1; step <= steps; step++) {
        await dataSource.transaction(async (m) => {
          await m.query(`INSERT INTO ${SCHEMA}.work VALUES ($1, $2, $3)`, [
            name,
            context.period,
            step,
          ]);
          await context.checkpoint(m, String(step));
        });
        if (step === failAfter) throw new Error('the process died here');
      }
    },
  };
}

async function stepsDone(name: string): Promise<{ period: string; step: number }[]> {
  return dataSource.query(
    `SELECT period, step FROM ${SCHEMA}.work WHERE job = $1 ORDER BY period, step`,
    [name],
  );
}

const steps = (period: string, ...numbers: number[]) => numbers.map((step) => ({ period, step }));

describe('JobRunner', () => {
  it('runs a period once however many runners race for it', async () => {
    const name = `race-${randomUUID()}`;
    const runners = [1, 2, 3].map(() => {
      const runner = new JobRunner(dataSource, { table: TABLE });
      runner.register(steppedJob(name, 3));
      return runner;
    });
    const now = new Date('2026-06-10T12:00:00Z');
    const outcomes = await Promise.all(runners.map((r) => r.runDue(now)));

    expect(outcomes.map((o) => o[name]).sort()).toEqual(['done', 'not-claimed', 'not-claimed']);
    expect(await stepsDone(name)).toEqual(steps('2026-06-10', 1, 2, 3));
    // Later the same day: done already.
    expect((await runners[1].runDue(new Date('2026-06-10T22:00:00Z')))[name]).toBe('not-claimed');
  });

  it('resumes a run that stopped halfway from its cursor, once its lease ran out', async () => {
    const name = `crash-${randomUUID()}`;
    const crashing = new JobRunner(dataSource, { table: TABLE, leaseMs: 200 });
    crashing.register(steppedJob(name, 5, 2));
    const other = new JobRunner(dataSource, { table: TABLE, leaseMs: 200 });
    other.register(steppedJob(name, 5));
    const now = new Date('2026-06-10T12:00:00Z');

    expect((await crashing.runDue(now))[name]).toBe('failed');
    expect(await stepsDone(name)).toEqual(steps('2026-06-10', 1, 2));

    // Not while the lease holds; then the other runner takes over where the first stopped.
    let outcome = (await other.runDue(now))[name];
    const deadline = Date.now() + 10_000;
    while (outcome === 'not-claimed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcome = (await other.runDue(now))[name];
    }
    expect(outcome).toBe('done');
    expect(await stepsDone(name)).toEqual(steps('2026-06-10', 1, 2, 3, 4, 5));
  }, 30_000);

  it('refuses the checkpoint of a runner whose lease was taken over, rolling its step back', async () => {
    const name = `stolen-${randomUUID()}`;
    let release: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const claimed = new Promise<void>((resolve) => (started = resolve));
    const slow = new JobRunner(dataSource, { table: TABLE, leaseMs: 100 });
    slow.register({
      name,
      schedule: daily,
      async run(context) {
        started();
        await paused;
        await dataSource.transaction(async (m) => {
          await m.query(`INSERT INTO ${SCHEMA}.work VALUES ($1, $2, 99)`, [name, context.period]);
          await context.checkpoint(m, '99');
        });
      },
    });
    const fast = new JobRunner(dataSource, { table: TABLE, leaseMs: 60_000 });
    fast.register(steppedJob(name, 2));
    const now = new Date('2026-06-10T12:00:00Z');

    const slowRun = slow.runDue(now);
    // The slow runner holds the claim before the fast one tries.
    await claimed;
    let outcome = (await fast.runDue(now))[name];
    const deadline = Date.now() + 10_000;
    while (outcome === 'not-claimed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcome = (await fast.runDue(now))[name];
    }
    release();

    expect(outcome).toBe('done');
    expect((await slowRun)[name]).toBe('failed');
    expect(await stepsDone(name)).toEqual(steps('2026-06-10', 1, 2));
  }, 30_000);

  it('runs again for the next period, from the start', async () => {
    const name = `daily-${randomUUID()}`;
    const runner = new JobRunner(dataSource, { table: TABLE });
    runner.register(steppedJob(name, 2));

    await runner.runDue(new Date('2026-06-10T12:00:00Z'));
    // 02:29 BST on the 11th: still the 10th's period.
    expect((await runner.runDue(new Date('2026-06-11T01:29:00Z')))[name]).toBe('not-claimed');
    expect((await runner.runDue(new Date('2026-06-11T01:30:00Z')))[name]).toBe('done');
    // An older period is never run by the schedule.
    expect((await runner.runDue(new Date('2026-06-10T12:00:00Z')))[name]).toBe('not-claimed');

    expect(await stepsDone(name)).toEqual([
      ...steps('2026-06-10', 1, 2),
      ...steps('2026-06-11', 1, 2),
    ]);
  });

  it('runs a period by hand, and not one already done', async () => {
    const name = `manual-${randomUUID()}`;
    const runner = new JobRunner(dataSource, { table: TABLE });
    runner.register(steppedJob(name, 1));

    expect(await runner.trigger(name, '2026-07-01')).toBe('done');
    expect(await runner.trigger(name, '2026-07-01')).toBe('not-claimed');
    expect(await runner.trigger(name, '2026-06-30')).toBe('done');
    expect(await stepsDone(name)).toEqual([...steps('2026-06-30', 1), ...steps('2026-07-01', 1)]);
  });

  it('hands a run over when its process stops, to be resumed at once from the cursor', async () => {
    const name = `stop-${randomUUID()}`;
    let stopping: Promise<void> = Promise.resolve();
    const stopped = new JobRunner(dataSource, { table: TABLE });
    stopped.register({
      name,
      schedule: daily,
      async run(context) {
        await steppedJob(name, 1).run(context);
        stopping = stopped.stop();
        await steppedJob(name, 3).run({ ...context, cursor: '1' });
      },
    });
    const other = new JobRunner(dataSource, { table: TABLE });
    other.register(steppedJob(name, 3));
    const now = new Date('2026-06-10T12:00:00Z');

    expect((await stopped.runDue(now))[name]).toBe('stopped');
    await stopping;
    expect((await other.runDue(now))[name]).toBe('done');
    expect(await stepsDone(name)).toEqual(steps('2026-06-10', 1, 2, 3));
  });
});
