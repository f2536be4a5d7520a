import { AppDatabase, postgresOptions } from '@loyalty/platform';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { couponEngineDatabase } from '../apps/coupon-engine/src/database/data-source';
import { loyaltyApiDatabase } from '../apps/loyalty-api/src/database/data-source';
import { posIngestDatabase } from '../apps/pos-ingest/src/database/data-source';
import { databaseUrl, dropTestDatabase } from './support/test-database';

type Migrations = Omit<AppDatabase, 'databaseUrl' | 'applicationName'>;

// A database set up before issue 9 (offers and rules read across schemas) is moved to the new
// owners by the migrations: the wallet gets every offer with its redemption, the engine's rule
// copy gets every rule through loyalty-api's outbox.
describe('migrations move offers and rules to their owners', () => {
  const name = `loyalty_migrations_${process.pid}_${Date.now()}`;
  const url = databaseUrl(name);

  async function migrate(database: Migrations, upTo?: number): Promise<void> {
    const all = database.migrations;
    const migrations = Array.isArray(all) ? all.slice(0, upTo) : all;
    const dataSource = new DataSource(
      postgresOptions({ ...database, migrations, databaseUrl: url, applicationName: 'test' }),
    );
    await dataSource.initialize();
    await dataSource.destroy();
  }

  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    const admin = new Client({ connectionString: databaseUrl('postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
  });

  afterAll(async () => {
    await dropTestDatabase(name);
  });

  it('copies issued and redeemed offers into the wallet and queues every rule once', async () => {
    await migrate(posIngestDatabase);
    await migrate(loyaltyApiDatabase, 1);
    await migrate(couponEngineDatabase, 1);

    const [shopper, ruleId, open, used] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const reward = { kind: 'amountOff', amountCents: 100, target: { scope: 'basket' } };
    for (const [id, code] of [
      [open, 'OPEN1'],
      [used, 'USED1'],
    ]) {
      await query(
        `INSERT INTO coupons.offers (id, code, shopper_id, rule_id, reward, valid_from, valid_until, state,
                                     reason, trigger_event_id, issued_at)
         VALUES ($1, $2, $3, $4, $5, '2026-01-01Z', '2099-01-01Z', 'issued', '[]', $6, '2026-02-01Z')`,
        [id, code, shopper, ruleId, JSON.stringify(reward), randomUUID()],
      );
    }
    await query(
      `INSERT INTO loyalty.redemptions (id, offer_id, offer_code, shopper_id, store_id, terminal_id,
                                        pos_transaction_id, discount_cents, redeemed_at)
       VALUES ($1, $2, 'USED1', $3, 'store-1', 'lane-1', 'tx-1', 100, '2026-03-01Z')`,
      [randomUUID(), used, shopper],
    );
    await query(
      `INSERT INTO loyalty.coupon_rules (id, name, status, audience, reward, valid_from, valid_until,
                                         offer_valid_days, per_shopper_limit, created_by, created_at)
       VALUES ($1, 'Old rule', 'paused', '[{"fact":"visits","atLeast":3}]', $2,
               '2026-01-01Z', '2099-01-01Z', 14, 2, 'alice', '2026-01-15T10:00:00Z')`,
      [ruleId, JSON.stringify(reward)],
    );

    await migrate(loyaltyApiDatabase);
    await migrate(couponEngineDatabase);

    const wallet = await query(
      `SELECT code, state, state_changed_at, store_id, pos_transaction_id, issued_at
         FROM loyalty.offers WHERE shopper_id = $1 ORDER BY code`,
      [shopper],
    );
    expect(wallet).toEqual([
      {
        code: 'OPEN1',
        state: 'issued',
        state_changed_at: null,
        store_id: null,
        pos_transaction_id: null,
        issued_at: new Date('2026-02-01Z'),
      },
      {
        code: 'USED1',
        state: 'redeemed',
        state_changed_at: new Date('2026-03-01Z'),
        store_id: 'store-1',
        pos_transaction_id: 'tx-1',
        issued_at: new Date('2026-02-01Z'),
      },
    ]);

    const queued = await query<{ topic: string; key: string; payload: unknown }>(
      `SELECT topic, key, payload FROM loyalty.outbox`,
    );
    expect(queued).toEqual([
      {
        // The topic of that time (its contract has since been retired).
        topic: 'loyalty-api.rule-changed.v1',
        key: ruleId,
        payload: {
          rule: {
            id: ruleId,
            name: 'Old rule',
            status: 'paused',
            audience: [{ fact: 'visits', atLeast: 3 }],
            reward,
            validFrom: '2026-01-01T00:00:00.000Z',
            validUntil: '2099-01-01T00:00:00.000Z',
            offerValidDays: 14,
            perShopperLimit: 2,
          },
          version: 1,
          changedAt: '2026-01-15T10:00:00.000Z',
        },
      },
    ]);

    const columns = await query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'coupons' AND table_name = 'offers' AND column_name IN ('state', 'redeemed_at')`,
    );
    expect(columns).toEqual([]);
  });
});
