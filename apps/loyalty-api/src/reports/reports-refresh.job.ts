import { addDays, localDate } from '@loyalty/domain';
import { Job, JobContext, JobSchedule } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { ReportSumsQueries } from './report-sums.queries';

/** Business days recomputed per transaction of a first run's backfill. */
const BACKFILL_DAYS = 31;
/** Daily segment snapshots kept: a year and a bit, for week-over-week and year-ago comparisons. */
const SEGMENT_DAYS_KEPT = 400;

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
    while (from <= last) {
      const to = [addDays(from, BACKFILL_DAYS - 1), last].sort()[0];
      await this.dataSource.transaction(async (t) => {
        await this.sums.refreshSalesHours(t, from, to);
        await this.sums.refreshBandDays(t, from, to);
        await context.checkpoint(t, addDays(to, 1));
      });
      from = addDays(to, 1);
    }
    await this.dataSource.transaction(async (t) => {
      await this.sums.snapshotSegments(t, today, SEGMENT_DAYS_KEPT);
      await this.sums.refreshLifecycleMoves(t, recent, last);
    });
  }
}
