import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource, EntityManager } from 'typeorm';
import { JobSchedule, duePeriod } from './job-schedule';

/**
 * The DDL of a jobs table for `JobRunner` (one row per job: the period last claimed, its cursor,
 * state and lease), for an app's migration to create it with.
 */
export function createJobsTableSql(table: string): string {
  return `CREATE TABLE ${table} (
    name text PRIMARY KEY,
    period text NOT NULL,
    cursor text,
    state text NOT NULL CHECK (state IN ('running', 'done')),
    owner text,
    lease_until timestamptz,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`;
}

/** What a run knows and how it saves its progress. */
export interface JobContext {
  /** The period this run is for (the local date of a daily job). */
  period: string;
  /** Where the last run of this period stopped (null at its start). */
  cursor: string | null;
  /**
   * Saves `cursor` in `manager`'s transaction, so the progress commits with the work it covers,
   * and renews the lease. Throws `JobLeaseLostError` (rolling that work back) when the lease ran
   * out and another process took the run over.
   */
  checkpoint(manager: EntityManager, cursor: string): Promise<void>;
}

export interface Job {
  name: string;
  schedule: JobSchedule;
  run(context: JobContext): Promise<void>;
}

export interface JobRunnerOptions {
  /** The app's jobs table (see the migration that creates it, e.g. `<schema>.jobs`). */
  table: string;
  /** How long a claim holds without a checkpoint; a run's steps must each finish well within it. */
  leaseMs?: number;
  /** How often due jobs are looked for. */
  pollMs?: number;
  /** Starts looking for due jobs when the app has started (the app's modules registered theirs). */
  startWithApp?: boolean;
}

export class JobLeaseLostError extends Error {
  constructor(job: string, period: string) {
    super(`Job ${job} lost its lease on period ${period} to another process`);
  }
}

/** Thrown by a checkpoint once the runner is stopping: the run ends there, to be resumed. */
export class JobStoppedError extends Error {
  constructor(job: string, period: string) {
    super(`Job ${job} for ${period} stopped with its process`);
  }
}

export type RunOutcome = 'done' | 'not-claimed' | 'failed' | 'stopped';

/**
 * Runs each registered job once per period however many processes run it. A job has one row in
 * the app's jobs table: the period it was last claimed for, its cursor, and a lease (owner and
 * expiry). A process claims the row for a newer period, or for the same period when the lease ran
 * out (a crash or a failed run), by one conditional upsert, so exactly one claimant wins; the run
 * resumes from the saved cursor. Finishing marks the period done. A failed run keeps its row
 * leased until expiry and is then resumed by whichever process polls first.
 */
export class JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private readonly jobs = new Map<string, Job>();
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly table: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly startWithApp: boolean;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private current: Promise<unknown> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    options: JobRunnerOptions,
  ) {
    this.table = options.table;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.pollMs = options.pollMs ?? 30_000;
    this.startWithApp = options.startWithApp ?? false;
  }

  onApplicationBootstrap(): void {
    if (this.startWithApp) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  register(job: Job): void {
    if (this.jobs.has(job.name)) throw new Error(`Job ${job.name} is already registered`);
    this.jobs.set(job.name, job);
  }

  /** Looks for due jobs now and every `pollMs` until `stop`. */
  start(): void {
    if (this.timer !== null) return;
    const tick = () => {
      if (this.current !== null) return;
      this.current = this.runDue()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'Looking for due jobs failed'))
        .finally(() => (this.current = null));
    };
    this.timer = setInterval(tick, this.pollMs);
    tick();
  }

  /**
   * Stops polling; the run in progress ends at its next checkpoint (its step rolled back) and
   * hands its lease back, so another process resumes it at once.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.current;
  }

  /** Runs, one after the other, every job whose period at `now` is due and not claimed. */
  async runDue(now = new Date()): Promise<Record<string, RunOutcome>> {
    const outcomes: Record<string, RunOutcome> = {};
    for (const job of this.jobs.values()) {
      outcomes[job.name] = await this.runPeriod(job, duePeriod(job.schedule, now), 'newer');
    }
    return outcomes;
  }

  /**
   * Runs `name` for `period` by hand (the CLI, tests, a bench): any period other than the one last
   * claimed, or the same one to resume it; never over a live lease, never a period already done.
   */
  async trigger(name: string, period: string): Promise<RunOutcome> {
    const job = this.jobs.get(name);
    if (job === undefined) throw new Error(`No job ${name} is registered`);
    return this.runPeriod(job, period, 'any');
  }

  private async runPeriod(job: Job, period: string, accept: 'newer' | 'any'): Promise<RunOutcome> {
    const claimed = await this.claim(job.name, period, accept);
    if (claimed === null) return 'not-claimed';
    const context: JobContext = {
      period,
      cursor: claimed.cursor,
      checkpoint: (manager, cursor) => this.checkpoint(manager, job.name, period, cursor),
    };
    try {
      await job.run(context);
      await this.finish(job.name, period);
      return 'done';
    } catch (error) {
      if (error instanceof JobStoppedError) {
        await this.release(job.name, period);
        return 'stopped';
      }
      this.logger.warn({ err: error }, `Job ${job.name} for ${period} failed; resumed later`);
      return 'failed';
    }
  }

  private async claim(
    name: string,
    period: string,
    accept: 'newer' | 'any',
  ): Promise<{ cursor: string | null } | null> {
    const periodAccepted =
      accept === 'newer' ? 'j.period < EXCLUDED.period' : 'j.period <> EXCLUDED.period';
    // The upsert locks the row: of concurrent claimants, the first wins and the others see its
    // live lease. A period already done is never claimed again.
    const rows: { cursor: string | null }[] = await this.dataSource.query(
      `INSERT INTO ${this.table} AS j (name, period, state, owner, lease_until, started_at)
       VALUES ($1, $2, 'running', $3, now() + $4 * interval '1 millisecond', now())
       ON CONFLICT (name) DO UPDATE
          SET period = EXCLUDED.period,
              cursor = CASE WHEN j.period = EXCLUDED.period THEN j.cursor END,
              state = 'running',
              owner = EXCLUDED.owner,
              lease_until = EXCLUDED.lease_until,
              started_at = CASE WHEN j.period = EXCLUDED.period THEN j.started_at ELSE now() END,
              finished_at = NULL
        WHERE (j.state = 'done' OR j.lease_until < now())
          AND (${periodAccepted} OR (j.period = EXCLUDED.period AND j.state = 'running'))
       RETURNING cursor`,
      [name, period, this.owner, this.leaseMs],
    );
    return rows[0] ?? null;
  }

  private async checkpoint(
    manager: EntityManager,
    name: string,
    period: string,
    cursor: string,
  ): Promise<void> {
    if (this.stopping) throw new JobStoppedError(name, period);
    const [, affected]: [unknown, number] = await manager.query(
      `UPDATE ${this.table}
          SET cursor = $4, lease_until = now() + $5 * interval '1 millisecond', updated_at = now()
        WHERE name = $1 AND period = $2 AND owner = $3 AND state = 'running'`,
      [name, period, this.owner, cursor, this.leaseMs],
    );
    if (affected !== 1) throw new JobLeaseLostError(name, period);
  }

  private async release(name: string, period: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.table} SET owner = NULL, lease_until = now(), updated_at = now()
        WHERE name = $1 AND period = $2 AND owner = $3 AND state = 'running'`,
      [name, period, this.owner],
    );
  }

  private async finish(name: string, period: string): Promise<void> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE ${this.table}
          SET state = 'done', owner = NULL, lease_until = NULL, finished_at = now(), updated_at = now()
        WHERE name = $1 AND period = $2 AND owner = $3 AND state = 'running'`,
      [name, period, this.owner],
    );
    if (affected !== 1) throw new JobLeaseLostError(name, period);
  }
}
