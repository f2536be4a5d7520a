import { Injectable, Logger } from '@nestjs/common';
import { Job, JobSchedule } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../config';
import { ProfileFactsQueries } from './profile-facts.queries';

// A batch stamps its profiles with its start (`updated_at`) and commits a moment later: each run
// looks this far behind its mark, so a batch that committed after the last run is still seen.
const COMMIT_LAG = '10 seconds';

/**
 * The time-dependent facts (and ProfileChangedV2) of the households the projector changed since
 * the last run, every few minutes: off the projector's batch, where they cost more than the
 * batch itself. Their ids are read once up to a cutoff, refreshed in chunks (each its own
 * transaction; refreshing again changes nothing), then the mark moves to the cutoff.
 */
@Injectable()
export class RecentProfileFactsJob implements Job {
  readonly name = 'recent-profile-facts';
  readonly schedule: JobSchedule;
  private readonly logger = new Logger(RecentProfileFactsJob.name);
  private readonly chunk: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: ProfileFactsQueries,
    config: PosIngestConfig,
  ) {
    this.schedule = { everyMinutes: config.RECENT_PROFILE_FACTS_EVERY_MINUTES };
    this.chunk = config.PROFILE_FACTS_CHUNK;
  }

  async run(): Promise<void> {
    const [{ cutoff }]: { cutoff: Date }[] = await this.dataSource.query(
      `SELECT clock_timestamp() AS cutoff`,
    );
    const changed: { shopper_id: string }[] = await this.dataSource.query(
      `SELECT p.shopper_id FROM ingest.shopper_profiles p, ingest.recent_facts_mark k
        WHERE p.updated_at > k.refreshed_up_to - $2::interval AND p.updated_at <= $1
        ORDER BY p.shopper_id`,
      [cutoff, COMMIT_LAG],
    );
    const ids = changed.map((row) => row.shopper_id);
    let profileChanges = 0;
    for (let from = 0; from < ids.length; from += this.chunk) {
      const outcome = await this.dataSource.transaction((m) =>
        this.queries.refresh(m, new Date(), ids.slice(from, from + this.chunk)),
      );
      profileChanges += outcome.profileChanges;
    }
    await this.dataSource.query(
      `UPDATE ingest.recent_facts_mark SET refreshed_up_to = greatest(refreshed_up_to, $1)`,
      [cutoff],
    );
    if (ids.length > 0)
      this.logger.log(`Recent profile facts: ${ids.length} households, ${profileChanges} changed`);
  }
}
