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
        cashier_id text NOT NULL,
        business_date date NOT NULL,
        type text NOT NULL CHECK (type IN ('sale', 'return', 'void')),
        original_pos_transaction_id text,
        -- Both null for an anonymous sale.
        card_number text,
        shopper_id uuid REFERENCES ingest.shoppers (id),
        occurred_at timestamptz NOT NULL,
        utc_offset text NOT NULL,
        total_cents bigint NOT NULL,
        lines jsonb NOT NULL,
        tenders jsonb NOT NULL,
        applied_offers jsonb NOT NULL,
        -- Set when a void cancels this sale or return.
        voided boolean NOT NULL DEFAULT false,
        received_at timestamptz NOT NULL,
        projected_at timestamptz NOT NULL DEFAULT now(),
        -- The idempotency key: a POS transaction id is unique within its store.
        UNIQUE (store_id, pos_transaction_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX transactions_original_idx ON ingest.transactions (store_id, original_pos_transaction_id)
        WHERE original_pos_transaction_id IS NOT NULL`,
    );
    // First and last visit are recounted from this after a void.
    await queryRunner.query(
      `CREATE INDEX transactions_visits_idx ON ingest.transactions (shopper_id, occurred_at)
        WHERE type = 'sale' AND NOT voided`,
    );
    await queryRunner.query(`
      CREATE TABLE ingest.shopper_profiles (
        shopper_id uuid PRIMARY KEY REFERENCES ingest.shoppers (id),
        lifetime_spend_cents bigint NOT NULL,
        visits integer NOT NULL,
        first_visit_at timestamptz,
        last_visit_at timestamptz,
        spend_by_department_cents jsonb NOT NULL,
        -- The cached sum of the shopper's points ledger.
        points_balance bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ingest.points_ledger (
        id bigserial PRIMARY KEY,
        shopper_id uuid NOT NULL REFERENCES ingest.shoppers (id),
        kind text NOT NULL CHECK (kind IN ('earn', 'redeem', 'expire', 'adjust', 'reverse')),
        points bigint NOT NULL,
        source_type text NOT NULL,
        source_id text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        -- One entry per cause: a replayed transaction books nothing twice.
        UNIQUE (source_type, source_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX points_ledger_shopper_id_idx ON ingest.points_ledger (shopper_id)`,
    );
    // Store sales are booked as insert-only entries: concurrent projectors never queue on a store's
    // row of the day. The view sums them.
    await queryRunner.query(`
      CREATE TABLE ingest.store_sales_entries (
        id bigserial PRIMARY KEY,
        store_id text NOT NULL,
        business_date date NOT NULL,
        sales integer NOT NULL,
        returns integer NOT NULL,
        anonymous_sales integer NOT NULL,
        sales_cents bigint NOT NULL,
        returns_cents bigint NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX store_sales_entries_day_idx ON ingest.store_sales_entries (store_id, business_date)`,
    );
    await queryRunner.query(`
      CREATE VIEW ingest.store_daily_sales AS
      SELECT store_id, business_date, sum(sales)::int AS sales, sum(returns)::int AS returns,
             sum(anonymous_sales)::int AS anonymous_sales, sum(sales_cents)::bigint AS sales_cents,
             sum(returns_cents)::bigint AS returns_cents
        FROM ingest.store_sales_entries
       GROUP BY store_id, business_date`);
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
