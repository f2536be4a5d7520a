import { addDays, localDate } from '@loyalty/domain';
import { Job, JobContext, JobSchedule } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { ReportSumsQueries } from './report-sums.queries';

/** Business days recomputed per transaction of a first run's backfill. */
const BACKFILL_DAYS = 31;
/** Daily segment snapshots kept: a year and a bit, for week-over-week and year-ago comparisons. */
const SEGMENT_DAYS_KEPT = 400;

/**
 * Recounts the sales hours and demographic band days of the business days `from` to `to`, a
 * month per transaction; `done` runs in each month's transaction with the day after it.
 */
export async function recountSalesDays(
  dataSource: DataSource,
  sums: ReportSumsQueries,
  from: string,
  to: string,
  done: (t: EntityManager, next: string) => Promise<void> = async () => {},
): Promise<void> {
  for (let start = from; start <= to; start = addDays(start, BACKFILL_DAYS)) {
    const end = [addDays(start, BACKFILL_DAYS - 1), to].sort()[0];
    await dataSource.transaction(async (t) => {
      // One recount at a time (the job and the CLI): each replaces rows the other would insert.
      await t.query(`SELECT pg_advisory_xact_lock(hashtextextended('loyalty.reports-recount', 0))`);
      await sums.refreshSalesHours(t, start, end);
      await sums.refreshBandDays(t, start, end);
      await done(t, addDays(end, 1));
    });
  }
}

/**
 * Every `REPORTS_REFRESH_MINUTES`, the reports' sums: the sales hours and demographic bands of
 * the last `REPORTS_RECOMPUTE_DAYS` business days (late and offline sales land there; the first run
 * backfills every day, a month per transaction, resuming where it stopped), today's segment
 * snapshot and the lifecycle moves of the last days. Programme time decides "today".
 */
@Injectable()
export class ReportsRefreshJob implements Job {
  readonly name = 'reports-refresh';
  readonly schedule: JobSchedule;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sums: ReportSumsQueries,
    private readonly config: LoyaltyApiConfig,
  ) {
    this.schedule = { everyMinutes: config.REPORTS_REFRESH_MINUTES };
  }

  async run(context: JobContext): Promise<void> {
    const now = new Date(context.period);
    if (Number.isNaN(now.getTime())) throw new Error(`Period ${context.period} is no instant`);
    const today = localDate(now, this.config.PROGRAMME_TIME_ZONE);
    // A POS clock may run a day ahead of the programme's.
    const last = addDays(today, 1);
    const recent = addDays(today, -this.config.REPORTS_RECOMPUTE_DAYS);
    const m = this.dataSource.manager;
    let from = context.cursor ?? recent;
    if (context.cursor === null && !(await this.sums.hasSalesHours(m)))
      from = (await this.sums.firstBusinessDate(m)) ?? recent;
    await recountSalesDays(this.dataSource, this.sums, from, last, (t, next) =>
      context.checkpoint(t, next),
    );
    await this.dataSource.transaction(async (t) => {
      await this.sums.snapshotSegments(t, today, SEGMENT_DAYS_KEPT);
      await this.sums.refreshLifecycleMoves(t, recent, last);
    });
  }
}
