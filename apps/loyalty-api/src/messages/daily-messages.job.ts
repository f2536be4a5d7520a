import { Injectable } from '@nestjs/common';
import { Job, JobContext, JobSchedule } from '@loyalty/platform';
import { LoyaltyApiConfig } from '../config';
import { DailyMessagesService } from './daily-messages.service';

/** Once a day (`MESSAGES_DAILY_AT`, programme time): birthdays, anniversaries, offers ending. */
@Injectable()
export class DailyMessagesJob implements Job {
  readonly name = 'messages-daily';
  readonly schedule: JobSchedule;

  constructor(
    private readonly daily: DailyMessagesService,
    config: LoyaltyApiConfig,
  ) {
    this.schedule = { daily: config.MESSAGES_DAILY_AT, timeZone: config.PROGRAMME_TIME_ZONE };
  }

  // The period is the local date the run is for.
  async run(context: JobContext): Promise<void> {
    await this.daily.queueDay(context.period, new Date(), context);
  }
}
