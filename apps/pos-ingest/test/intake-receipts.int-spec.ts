import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { openDatabase, startPosIngest } from '../../../test/support/apps';
import { IntakeReceiptsPruner } from '../src/intake/intake-receipts.pruner';

describe('intake receipts retention', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startPosIngest({ PROJECTOR_ENABLED: 'false', INTAKE_RECEIPT_RETENTION_DAYS: '30' });
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('deletes the receipts older than the retention and keeps the others', async () => {
    const storeId = `store-${randomUUID()}`;
    const now = new Date('2026-11-22T12:00:00Z');
    const ageInDays = [45, 31, 30.5, 29, 1, 0];
    await db.query(
      `INSERT INTO ingest.intake_receipts (store_id, pos_transaction_id, body_sha256, received_at)
       SELECT $1, 'tx-' || d, 'hash', $2::timestamptz - make_interval(secs => d * 86400)
       FROM unnest($3::float8[]) AS d`,
      [storeId, now, ageInDays],
    );

    await app.get(IntakeReceiptsPruner).prune(now);

    const kept: { pos_transaction_id: string }[] = await db.query(
      `SELECT pos_transaction_id FROM ingest.intake_receipts WHERE store_id = $1 ORDER BY received_at`,
      [storeId],
    );
    expect(kept.map((r) => r.pos_transaction_id)).toEqual(['tx-29', 'tx-1', 'tx-0']);
  });
});
