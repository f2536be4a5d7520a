import { MigrationInterface, QueryRunner } from 'typeorm';

export class IndexIntakeReceiptsByAge1795400000000 implements MigrationInterface {
  name = 'IndexIntakeReceiptsByAge1795400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Receipts are pruned by age. Rows arrive in time order, so a BRIN index finds the old ones
    // at almost no cost to the intake's inserts.
    await queryRunner.query(
      `CREATE INDEX intake_receipts_received_at_idx ON ingest.intake_receipts USING brin (received_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ingest.intake_receipts_received_at_idx`);
  }
}
