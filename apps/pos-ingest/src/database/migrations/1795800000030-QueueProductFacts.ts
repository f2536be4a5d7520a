import { MigrationInterface, QueryRunner } from 'typeorm';

// The projector queues its effects on the product sums (one row per transaction it counts or
// uncounts) instead of folding ~20 lines per transaction into `shopper_products` in the batch;
// the product facts job folds the queue, oldest first, and deletes what it folded. `shopper_id`
// is the household at queue time, for erasure and for a rebuild after a card move. And the mark
// of the recent profile facts job: the households changed since are refreshed next.
export class QueueProductFacts1795800000030 implements MigrationInterface {
  name = 'QueueProductFacts1795800000030';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ingest.product_fact_queue (
        id bigserial PRIMARY KEY,
        shopper_id uuid NOT NULL,
        store_id text NOT NULL,
        pos_transaction_id text NOT NULL,
        sign smallint NOT NULL CHECK (sign IN (1, -1))
      )`);
    // How far the recent profile facts job has refreshed households by `updated_at` (one row).
    await queryRunner.query(`
      CREATE TABLE ingest.recent_facts_mark (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        refreshed_up_to timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `INSERT INTO ingest.recent_facts_mark (refreshed_up_to) VALUES (now())`,
    );
    await queryRunner.query(
      `CREATE INDEX product_fact_queue_shopper_id_idx ON ingest.product_fact_queue (shopper_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ingest.recent_facts_mark`);
    await queryRunner.query(`DROP TABLE ingest.product_fact_queue`);
  }
}
