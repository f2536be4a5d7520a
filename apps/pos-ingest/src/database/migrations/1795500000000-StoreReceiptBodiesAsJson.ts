import { MigrationInterface, QueryRunner } from 'typeorm';

const BODY_COLUMNS = ['lines', 'tenders', 'applied_offers'];

export class StoreReceiptBodiesAsJson1795500000000 implements MigrationInterface {
  name = 'StoreReceiptBodiesAsJson1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A stored transaction's lines, tenders and offers are written once and read back whole
    // (voids, returns); nothing queries inside them. `json` only checks the text, where `jsonb`
    // parses it into its binary form, which was the largest part of the projector's database
    // time (docs/PERFORMANCE.md).
    for (const column of BODY_COLUMNS) {
      await queryRunner.query(
        `ALTER TABLE ingest.transactions ALTER COLUMN ${column} TYPE json USING ${column}::json`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of BODY_COLUMNS) {
      await queryRunner.query(
        `ALTER TABLE ingest.transactions ALTER COLUMN ${column} TYPE jsonb USING ${column}::jsonb`,
      );
    }
  }
}
