import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine's copy of the audience facts is filled by events: the facts from pos-ingest's
 * `profile-changed.v2`, the enrolment, birthday, home store and consent from loyalty-api's
 * `household-changed.v1`. A household enrolled but never seen at a till has no facts yet, one
 * seen at a till but not enrolled no enrolment: both columns become nullable, and the household
 * version the identity columns are from guards against an older event. Products and static lists
 * are read in place (named reads of pos-ingest's and loyalty-api's tables), so their copies go.
 * Written to apply to a database whose `household_facts` already has this shape, too.
 */
export class HouseholdFactsFromEvents1795900000205 implements MigrationInterface {
  name = 'HouseholdFactsFromEvents1795900000205';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE coupons.household_facts
        ALTER COLUMN facts_as_of DROP NOT NULL,
        ALTER COLUMN enrolled_on DROP NOT NULL,
        ADD COLUMN IF NOT EXISTS household_version integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`DROP TABLE IF EXISTS coupons.list_members`);
    await queryRunner.query(`DROP TABLE IF EXISTS coupons.household_products`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coupons.household_products (
        household_id uuid NOT NULL,
        sku text NOT NULL,
        department text,
        category text,
        brand text,
        spend_cents bigint NOT NULL,
        units numeric NOT NULL,
        last_bought_on date,
        PRIMARY KEY (household_id, sku)
      )`);
    for (const item of ['sku', 'department', 'category', 'brand']) {
      await queryRunner.query(`
        CREATE INDEX household_products_${item}_idx
          ON coupons.household_products (${item}, last_bought_on) INCLUDE (household_id)`);
    }
    await queryRunner.query(`
      CREATE TABLE coupons.list_members (
        list_id uuid NOT NULL,
        household_id uuid NOT NULL,
        PRIMARY KEY (list_id, household_id)
      )`);
    await queryRunner.query(`
      ALTER TABLE coupons.household_facts
        DROP COLUMN household_version,
        ALTER COLUMN enrolled_on SET NOT NULL,
        ALTER COLUMN facts_as_of SET NOT NULL`);
  }
}
