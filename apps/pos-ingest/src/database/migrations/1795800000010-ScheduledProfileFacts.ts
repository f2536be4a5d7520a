import { MigrationInterface, QueryRunner } from 'typeorm';

// The nightly profile facts: the jobs table of the platform's job runner, the RFM quintile
// thresholds of the last full pass (households refreshed between passes are scored by them), the
// average basket, the day a tier was last judged, what was derived from the visit days (the
// cadence and the day of the last comeback), and each product's repeat interval.
export class ScheduledProfileFacts1795800000010 implements MigrationInterface {
  name = 'ScheduledProfileFacts1795800000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per job: the period last claimed, its progress and its lease (JobRunner).
    await queryRunner.query(`
      CREATE TABLE ingest.jobs (
        name text PRIMARY KEY,
        period text NOT NULL,
        cursor text,
        state text NOT NULL CHECK (state IN ('running', 'done')),
        owner text,
        lease_until timestamptz,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Per score s = 2..5, the least value reaching s (recency: the most days since the last visit).
    await queryRunner.query(`
      CREATE TABLE ingest.rfm_thresholds (
        as_of date PRIMARY KEY,
        population integer NOT NULL,
        r2_days integer, r3_days integer, r4_days integer, r5_days integer,
        f2_visits integer, f3_visits integer, f4_visits integer, f5_visits integer,
        m2_cents bigint, m3_cents bigint, m4_cents bigint, m5_cents bigint,
        computed_at timestamptz NOT NULL DEFAULT now()
      )`);
    // What the pass derived from the visit days, and from which: recomputed only when they change.
    await queryRunner.query(`
      ALTER TABLE ingest.shopper_profiles
        ADD COLUMN average_basket_52w_cents bigint,
        ADD COLUMN tier_requalified_on date,
        ADD COLUMN comeback_on date,
        ADD COLUMN cadence_of_days date[]`);
    // (last − first) / (purchases − 1) days to one decimal, and the day the product is due again.
    await queryRunner.query(`
      ALTER TABLE ingest.shopper_products
        ADD COLUMN repeat_interval_days numeric(7, 1) GENERATED ALWAYS AS (
          CASE WHEN purchases > 1
               THEN round((last_bought_on - first_bought_on)::numeric / (purchases - 1), 1) END
        ) STORED,
        ADD COLUMN next_due_on date GENERATED ALWAYS AS (
          CASE WHEN purchases > 1
               THEN last_bought_on
                    + round(round((last_bought_on - first_bought_on)::numeric / (purchases - 1), 1))::int
          END
        ) STORED`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE ingest.shopper_products DROP COLUMN next_due_on, DROP COLUMN repeat_interval_days`,
    );
    await queryRunner.query(
      `ALTER TABLE ingest.shopper_profiles DROP COLUMN cadence_of_days, DROP COLUMN comeback_on, DROP COLUMN tier_requalified_on,
         DROP COLUMN average_basket_52w_cents`,
    );
    await queryRunner.query(`DROP TABLE ingest.rfm_thresholds`);
    await queryRunner.query(`DROP TABLE ingest.jobs`);
  }
}
