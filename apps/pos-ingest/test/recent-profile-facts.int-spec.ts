import { TOPICS, householdIdForCard } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { runJobByHand } from './support/run-job-by-hand';
import { ProjectionService } from '../src/transactions/projection.service';
import { openDatabase, startPosIngest } from '../../../test/support/apps';
import { makeCardNumber, makeTransaction } from '../../../test/support/factories';
import { findMessage } from '../../../test/support/kafka';

describe('pos-ingest recent profile facts', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startPosIngest({ PROJECTOR_ENABLED: 'false' });
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const runJob = () => runJobByHand(app, 'recent-profile-facts');

  const factsAsOf = async (shopperId: string): Promise<string | null> =>
    (
      await db.query(
        `SELECT facts_as_of::text FROM ingest.shopper_profiles WHERE shopper_id = $1`,
        [shopperId],
      )
    )[0].facts_as_of;

  it('refreshes and publishes the households a batch changed since the last run, once', async () => {
    const cardNumber = makeCardNumber();
    const shopperId = householdIdForCard(cardNumber);
    const now = new Date();
    await app
      .get(ProjectionService)
      .projectBatch([{ ...makeTransaction({ cardNumber }), receivedAt: now.toISOString() }], now);
    expect(await factsAsOf(shopperId)).toBeNull();

    await runJob();
    expect(await factsAsOf(shopperId)).not.toBeNull();
    const message = await findMessage(
      TOPICS.profileChangedV2,
      (m) => m.key?.toString() === shopperId,
    );
    expect(JSON.parse(message.value?.toString() ?? '{}')).toMatchObject({
      householdId: shopperId,
      facts: expect.objectContaining({ visits52w: 1 }),
    });
    const [{ up_to_date }] = await db.query(
      `SELECT refreshed_up_to >= $1 AS up_to_date FROM ingest.recent_facts_mark`,
      [now],
    );
    expect(up_to_date).toBe(true);

    // The refresh read the weekly sums; the next batch marks them changed for the nightly pass.
    const windowsStale = async (): Promise<boolean> =>
      (
        await db.query(`SELECT windows_stale FROM ingest.shopper_profiles WHERE shopper_id = $1`, [
          shopperId,
        ])
      )[0].windows_stale;
    expect(await windowsStale()).toBe(false);
    await app
      .get(ProjectionService)
      .projectBatch([{ ...makeTransaction({ cardNumber }), receivedAt: now.toISOString() }], now);
    expect(await windowsStale()).toBe(true);
  });
});
