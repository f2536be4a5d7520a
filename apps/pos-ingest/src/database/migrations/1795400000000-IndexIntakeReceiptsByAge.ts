import { MigrationInterface, QueryRunner } from 'typeorm';

export class IndexIntakeReceiptsByAge1795400000000 implements MigrationInterface {
  name = 'IndexIntakeReceiptsByAge1795400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // What the intake accepted, by store and POS id: a retry with the same body is answered as a
    // success, the same id with another body is refused (409) before anything is produced.
    // IF NOT EXISTS: for a while the table was created by CreateIngestSchema, so databases set up
    // then already have it.
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ingest.intake_receipts (
        store_id text NOT NULL,
        pos_transaction_id text NOT NULL,
        body_sha256 text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (store_id, pos_transaction_id)
      )`);
    // Receipts are pruned by age. Rows arrive in time order, so a BRIN index finds the old ones
    // at almost no cost to the intake's inserts.
    await queryRunner.query(
      `CREATE INDEX intake_receipts_received_at_idx ON ingest.intake_receipts USING brin (received_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ingest.intake_receipts`);
  }
}
