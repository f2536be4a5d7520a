import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The terminal keys loyalty-api creates and revokes, as pos-ingest's own copy (from
 * `loyalty-api.terminal-key-changed.v1`): the intake authenticates lanes without reading
 * loyalty-api's tables.
 */
export class CreateTerminalKeysCopy1795700000000 implements MigrationInterface {
  name = 'CreateTerminalKeysCopy1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingest.terminal_keys (
        key_id text PRIMARY KEY,
        store_id text NOT NULL,
        terminal_id text NOT NULL,
        secret_hash text NOT NULL,
        revoked_at timestamptz,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ingest.terminal_keys`);
  }
}
