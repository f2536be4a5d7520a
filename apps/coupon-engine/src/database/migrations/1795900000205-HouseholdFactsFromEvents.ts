import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Brings a `coupons.household_facts` created by an earlier text of 1795900000200 to the shape that
 * migration creates now: the engine's copy is filled by events (facts from pos-ingest's
 * `profile-changed.v2`, identity and consent from loyalty-api's `household-changed.v1`), so a
 * household enrolled but never seen at a till has no facts yet and one seen at a till but not
 * enrolled no enrolment (both columns nullable), and the household version guards against an older
 * event. Products and static lists are read in place (named reads of pos-ingest's and
 * loyalty-api's tables), so the copies that earlier text made go. On a database 1795900000200
 * created in its present shape it changes nothing.
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

  // Nothing to undo on the present shape; the copies dropped held nothing the engine reads.
  async down(): Promise<void> {}
}
