import { TOPICS } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  createTerminalKey,
  revokeTerminalKey,
} from '../apps/loyalty-api/src/terminals/create-terminal-key';
import { eventually, openDatabase, startLoyaltyApi, startPosIngest } from './support/apps';
import { makeTransaction } from './support/factories';
import { waitForDrain } from './support/kafka';

// loyalty-api owns the terminal keys; the intake authenticates lanes with its own copy, kept by
// event: a key created with the CLI starts working at the intake, a revoked one stops.

const KEY_WAIT_MS = 30_000;
jest.setTimeout(4 * KEY_WAIT_MS);

describe('terminal keys reach the intake by event', () => {
  let loyaltyApi: NestFastifyApplication;
  let db: DataSource;
  const intakes: NestFastifyApplication[] = [];
  let keysGroup = '';
  // A group of its own reads the keys' topic from its start, as a new deployment would.
  const startIntake = async () => {
    keysGroup = `pos-ingest.terminal-keys.test-${randomUUID()}`;
    const app = await startPosIngest({
      PROJECTOR_ENABLED: 'false',
      TERMINAL_KEYS_GROUP_ID: keysGroup,
    });
    intakes.push(app);
    return app;
  };

  beforeAll(async () => {
    db = await openDatabase();
    // Its outbox relay publishes what the CLI functions write.
    loyaltyApi = await startLoyaltyApi();
  });

  afterAll(async () => {
    await Promise.all([loyaltyApi, ...intakes].map((app) => app.close()));
    await db.destroy();
  });

  it('accepts a lane once its new key arrived, and refuses it once revoked', async () => {
    const storeId = `store-keys-${randomUUID().slice(0, 8)}`;
    const apiKey = await createTerminalKey(db, storeId, 'lane-1');
    const intake = await startIntake();
    const post = (app: NestFastifyApplication) =>
      request(app.getHttpServer())
        .post('/v1/transactions')
        .set('X-Api-Key', apiKey)
        .send(makeTransaction({ storeId, terminalId: 'lane-1' }));

    await eventually(
      async () => (await post(intake)).status === 202,
      KEY_WAIT_MS,
      'the new key accepted by the intake',
    );

    const keyId = apiKey.split('_')[1];
    expect(await revokeTerminalKey(db, keyId)).toBe(true);
    expect(await revokeTerminalKey(db, keyId)).toBe(false);
    await eventually(
      async () => {
        const [row] = await db.query(
          `SELECT revoked_at FROM ingest.terminal_keys WHERE key_id = $1`,
          [keyId],
        );
        return row?.revoked_at !== null && row?.revoked_at !== undefined;
      },
      KEY_WAIT_MS,
      "the revocation in the intake's copy",
    );
    // An intake that has not cached the key refuses it at once (one that has, within 30 s).
    const fresh = await startIntake();
    expect((await post(fresh)).status).toBe(401);
  });

  it('keeps a revoked key revoked when its creation is delivered again later', async () => {
    const storeId = `store-keys-${randomUUID().slice(0, 8)}`;
    const apiKey = await createTerminalKey(db, storeId, 'lane-1');
    const keyId = apiKey.split('_')[1];
    await revokeTerminalKey(db, keyId);
    // The creation delivered again after the revocation (a replay, a retried relay).
    await db.query(
      `INSERT INTO loyalty.outbox (topic, key, payload)
       SELECT 'loyalty-api.terminal-key-changed.v1', key_id,
              jsonb_build_object('keyId', key_id, 'storeId', store_id, 'terminalId', terminal_id,
                                 'secretHash', secret_hash, 'revokedAt', null)
         FROM loyalty.terminal_api_keys WHERE key_id = $1`,
      [keyId],
    );
    await eventually(
      async () =>
        (await db.query(`SELECT 1 FROM loyalty.outbox WHERE key = $1`, [keyId])).length === 0,
      KEY_WAIT_MS,
      'the replayed creation relayed',
    );
    // A new intake's group reads creation, revocation and creation again.
    const fresh = await startIntake();
    await waitForDrain(keysGroup, TOPICS.terminalKeyChanged, KEY_WAIT_MS);
    const [copy] = await db.query(`SELECT revoked_at FROM ingest.terminal_keys WHERE key_id = $1`, [
      keyId,
    ]);
    expect(copy.revoked_at).not.toBeNull();
    const response = await request(fresh.getHttpServer())
      .post('/v1/transactions')
      .set('X-Api-Key', apiKey)
      .send(makeTransaction({ storeId, terminalId: 'lane-1' }));
    expect(response.status).toBe(401);
  });
});
