import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * pos-ingest authenticates lanes with its own copy of the terminal keys, kept from
 * `loyalty-api.terminal-key-changed.v1`: the keys that exist already are put in the outbox once,
 * so the copy starts complete.
 */
export class PublishTerminalKeys1795700000120 implements MigrationInterface {
  name = 'PublishTerminalKeys1795700000120';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO loyalty.outbox (topic, key, payload)
      SELECT 'loyalty-api.terminal-key-changed.v1', key_id,
             jsonb_build_object(
               'keyId', key_id, 'storeId', store_id, 'terminalId', terminal_id,
               'secretHash', secret_hash,
               'revokedAt', to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM loyalty.terminal_api_keys
       ORDER BY created_at, key_id`);
  }

  async down(): Promise<void> {
    // The events went out; nothing to take back.
  }
}
