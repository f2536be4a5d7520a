import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIngestSchema1795300000000 implements MigrationInterface {
  name = 'CreateIngestSchema1795300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ingest`);
    await queryRunner.query(`
      CREATE TABLE ingest.shoppers (
        id uuid PRIMARY KEY,
        registered boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ingest.cards (
        card_number text PRIMARY KEY,
        shopper_id uuid NOT NULL REFERENCES ingest.shoppers (id),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'lost', 'blocked', 'replaced')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX cards_shopper_id_idx ON ingest.cards (shopper_id)`);
    await queryRunner.query(`
      CREATE TABLE ingest.transactions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pos_transaction_id text NOT NULL,
        store_id text NOT NULL,
        terminal_id text NOT NULL,
        card_number text NOT NULL,
        shopper_id uuid NOT NULL REFERENCES ingest.shoppers (id),
        occurred_at timestamptz NOT NULL,
        utc_offset text NOT NULL,
        total_cents bigint NOT NULL,
        lines jsonb NOT NULL,
        received_at timestamptz NOT NULL,
        projected_at timestamptz NOT NULL DEFAULT now(),
        -- The idempotency key: a POS transaction id is unique within its store.
        UNIQUE (store_id, pos_transaction_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX transactions_shopper_id_occurred_at_idx ON ingest.transactions (shopper_id, occurred_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE ingest.shopper_profiles (
        shopper_id uuid PRIMARY KEY REFERENCES ingest.shoppers (id),
        lifetime_spend_cents bigint NOT NULL,
        visits integer NOT NULL,
        first_visit_at timestamptz,
        last_visit_at timestamptz,
        spend_by_department_cents jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ingest.outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA ingest CASCADE`);
  }
}
