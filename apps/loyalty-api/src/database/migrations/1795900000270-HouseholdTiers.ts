import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * loyalty-api's copy of each household's tier, from pos-ingest's `profile-changed.v2`: the till
 * greets the shopper with it without reading pos-ingest's tables on the lane's path.
 */
export class HouseholdTiers1795900000270 implements MigrationInterface {
  name = 'HouseholdTiers1795900000270';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.household_tiers (
        household_id uuid PRIMARY KEY,
        tier text NOT NULL,
        tier_since date,
        facts_as_of date NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.household_tiers`);
  }
}
