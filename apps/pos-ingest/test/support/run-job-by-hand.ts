import { JobRunner } from '@loyalty/platform';
import { INestApplication } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { eventually } from '../../../../test/support/apps';

/**
 * Runs one of the app's jobs by hand (tests run without the schedule), for a period of its own:
 * the suites of a run share one database, so while another suite's run of the job holds it, this
 * one waits for it.
 */
export async function runJobByHand(app: INestApplication, name: string): Promise<void> {
  await eventually(async () => {
    const period = new Date(Date.UTC(2000, 0, 1) + randomInt(2 ** 40)).toISOString();
    return (await app.get(JobRunner).trigger(name, period)) === 'done';
  });
}
