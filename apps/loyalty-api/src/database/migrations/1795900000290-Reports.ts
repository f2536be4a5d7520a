import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reports' sums, kept by the reports-refresh job (loyalty-api reads pos-ingest's tables for
 * them through named queries, off the lane's path): sales and returns per business day, store,
 * hour and card (carded or anonymous); the households per lifecycle segment and RFM scores, one
 * snapshot a day; and the lifecycle moves per day.
 */
export class Reports1795900000290 implements MigrationInterface {
  name = 'Reports1795900000290';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.report_sales_hours (
        business_date date NOT NULL,
        store_id text NOT NULL,
        -- The hour of the sale on the POS clock.
        hour smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
        carded boolean NOT NULL,
        sales integer NOT NULL,
        sales_cents bigint NOT NULL,
        returns integer NOT NULL,
        returns_cents bigint NOT NULL,
        PRIMARY KEY (business_date, store_id, hour, carded)
      )`);
    // Each day's snapshot of the segments, and how many households it counted.
    await queryRunner.query(`
      CREATE TABLE loyalty.report_segment_snapshots (
        as_of date PRIMARY KEY,
        households integer NOT NULL
      )`);
    // Scores are 1 to 5, 0 before the household has any; lifecycle 'none' before its first visit.
    await queryRunner.query(`
      CREATE TABLE loyalty.report_segment_days (
        as_of date NOT NULL,
        lifecycle text NOT NULL,
        r smallint NOT NULL,
        f smallint NOT NULL,
        m smallint NOT NULL,
        households integer NOT NULL,
        PRIMARY KEY (as_of, lifecycle, r, f, m)
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.report_lifecycle_moves (
        on_date date NOT NULL,
        from_segment text NOT NULL,
        to_segment text NOT NULL,
        households integer NOT NULL,
        PRIMARY KEY (on_date, from_segment, to_segment)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.report_lifecycle_moves`);
    await queryRunner.query(`DROP TABLE loyalty.report_segment_days`);
    await queryRunner.query(`DROP TABLE loyalty.report_segment_snapshots`);
    await queryRunner.query(`DROP TABLE loyalty.report_sales_hours`);
  }
}
