import { JobRunner } from '@loyalty/platform';
import { Module, OnModuleInit } from '@nestjs/common';
import { ReportSumsQueries } from './report-sums.queries';
import { ReportsController } from './reports.controller';
import { ReportsRefreshJob } from './reports-refresh.job';
import { ReportsService } from './reports.service';

/** The reports: their sums, kept by the `reports-refresh` job, and the routes that read them. */
@Module({
  controllers: [ReportsController],
  providers: [ReportSumsQueries, ReportsRefreshJob, ReportsService],
})
export class ReportsModule implements OnModuleInit {
  constructor(
    private readonly runner: JobRunner,
    private readonly job: ReportsRefreshJob,
  ) {}

  onModuleInit(): void {
    this.runner.register(this.job);
  }
}
