import { Injectable } from '@nestjs/common';
import { Job, JobContext, JobSchedule } from '@loyalty/platform';
import { LoyaltyApiConfig } from '../config';
import { PointsExpiryService } from './points-expiry.service';

/**
 * The daily points expiry on loyalty-api's job runner: one process runs each day's pass. The pass
 * expires what is due at the time it runs and books one entry per household and cutoff day, so a
 * run resumed after a crash books only what the first attempt had not.
 */
@Injectable()
export class PointsExpiryJob implements Job {
  readonly name = 'points-expiry';
  readonly schedule: JobSchedule;

  constructor(
    private readonly expiry: PointsExpiryService,
    config: LoyaltyApiConfig,
  ) {
    this.schedule = { daily: config.POINTS_EXPIRY_AT, timeZone: config.PROGRAMME_TIME_ZONE };
  }

  async run(_context: JobContext): Promise<void> {
    await this.expiry.expirePoints(new Date());
  }
}
