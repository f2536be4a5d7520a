import { MigrationInterface, QueryRunner } from 'typeorm';

// The transactions of some business days, for the reports' hourly sums (loyalty-api's
// `SalesHoursQuery`): a BRIN index, a few pages for the whole table, since rows arrive roughly in
// business-date order; it costs the projector's inserts next to nothing.
export class IndexTransactionsByBusinessDate1795800000050 implements MigrationInterface {
  name = 'IndexTransactionsByBusinessDate1795800000050';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX transactions_business_date_brin ON ingest.transactions USING brin (business_date)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ingest.transactions_business_date_brin`);
  }
}
