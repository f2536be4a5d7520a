import { MigrationInterface, QueryRunner } from 'typeorm';

// A household's transactions of every type, newest first: loyalty-api's `ShopperTransactionsQuery`
// (the shopper's history, the screen pop's last transactions, the export). The visits index holds
// only sales not voided, so those reads scanned the whole table.
export class IndexTransactionsByHousehold1795800000060 implements MigrationInterface {
  name = 'IndexTransactionsByHousehold1795800000060';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX transactions_household_idx ON ingest.transactions (shopper_id, occurred_at, id)
        WHERE shopper_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ingest.transactions_household_idx`);
  }
}
