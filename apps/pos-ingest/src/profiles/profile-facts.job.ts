import { Injectable, Logger } from '@nestjs/common';
import { Job, JobContext, JobSchedule } from '@loyalty/platform';
import { localDate } from '@loyalty/domain';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../config';
import { ProfileFactsQueries } from './profile-facts.queries';

// The cursor: null before the RFM thresholds are saved, then `after:<last household id done>`.
const AFTER = 'after:';

/** An instant on `date` in `timeZone`: noon UTC, moved half a day where that is another date. */
export function instantOn(date: string, timeZone: string): Date {
  const noon = new Date(`${date}T12:00:00Z`);
  const local = localDate(noon, timeZone);
  if (local === date) return noon;
  return new Date(noon.getTime() + (local > date ? -1 : 1) * 12 * 3_600_000);
}

/**
 * The nightly pass over every household: the RFM thresholds of the population, then the facts in
 * chunks of households by id, each chunk with its cursor in one transaction, so a run that
 * stopped resumes after the last chunk it committed. The facts are for the run's period (the
 * programme's date), however late the run.
 */
@Injectable()
export class ProfileFactsJob implements Job {
  readonly name = 'profile-facts';
  readonly schedule: JobSchedule;
  private readonly logger = new Logger(ProfileFactsJob.name);
  private readonly chunk: number;
  private readonly timeZone: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: ProfileFactsQueries,
    config: PosIngestConfig,
  ) {
    this.timeZone = config.PROGRAMME_TIME_ZONE;
    this.schedule = { daily: config.PROFILE_FACTS_AT, timeZone: this.timeZone };
    this.chunk = config.PROFILE_FACTS_CHUNK;
  }

  async run(context: JobContext): Promise<void> {
    const asOf = instantOn(context.period, this.timeZone);
    let cursor = context.cursor;
    if (cursor === null) {
      await this.dataSource.transaction(async (m) => {
        await this.queries.saveRfmThresholds(m, asOf);
        await context.checkpoint(m, AFTER);
      });
      cursor = AFTER;
    }
    let after: string | null = cursor.slice(AFTER.length) || null;
    let profileChanges = 0;
    let lifecycleChanges = 0;
    for (;;) {
      const done = await this.dataSource.transaction(async (m) => {
        const outcome = await this.queries.refreshChunk(m, asOf, after, this.chunk);
        if (outcome === null) return null;
        await context.checkpoint(m, `${AFTER}${outcome.upTo}`);
        return outcome;
      });
      if (done === null) break;
      after = done.upTo;
      profileChanges += done.profileChanges;
      lifecycleChanges += done.lifecycleChanges;
    }
    this.logger.log(
      `Profile facts for ${context.period}: ${profileChanges} profiles and ${lifecycleChanges} lifecycles changed` +
        (context.cursor === null ? '' : ' (resumed)'),
    );
  }
}
