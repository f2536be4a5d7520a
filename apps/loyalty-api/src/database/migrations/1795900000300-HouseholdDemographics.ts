import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the account holder declares about the household (age band, size, income band; each
 * optional), and the reports' sales per business day and demographic bands, kept by the
 * reports-refresh job with the sales hours: card sales by the bands their households had declared
 * when the day was last recomputed.
 */
export class HouseholdDemographics1795900000300 implements MigrationInterface {
  name = 'HouseholdDemographics1795900000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE loyalty.households
        ADD COLUMN age_band text
          CHECK (age_band IN ('18-24', '25-34', '35-44', '45-54', '55-64', '65+')),
        ADD COLUMN household_size smallint CHECK (household_size BETWEEN 1 AND 9),
        ADD COLUMN income_band text
          CHECK (income_band IN ('under-20k', '20k-40k', '40k-60k', '60k-100k', '100k+'))`);
    // A band the household did not declare is 'unknown' (household size 0).
    await queryRunner.query(`
      CREATE TABLE loyalty.report_band_days (
        business_date date NOT NULL,
        age_band text NOT NULL,
        household_size smallint NOT NULL,
        income_band text NOT NULL,
        sales integer NOT NULL,
        sales_cents bigint NOT NULL,
        returns integer NOT NULL,
        returns_cents bigint NOT NULL,
        PRIMARY KEY (business_date, age_band, household_size, income_band)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.report_band_days`);
    await queryRunner.query(`
      ALTER TABLE loyalty.households
        DROP COLUMN age_band, DROP COLUMN household_size, DROP COLUMN income_band`);
  }
}
