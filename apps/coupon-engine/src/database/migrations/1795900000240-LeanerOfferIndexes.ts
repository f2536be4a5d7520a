import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every offer issued writes each index of `coupons.offers`; a campaign writes hundreds of
 * thousands at once. Two serve nothing any more: the index by household alone (the one by
 * household and issue time, which the weekly limit reads, leads with it) and the uniqueness of
 * the profile event that issued an offer (issuance is unique by rule version, household and
 * period since versioned rules; new offers have no trigger event).
 */
export class LeanerOfferIndexes1795900000240 implements MigrationInterface {
  name = 'LeanerOfferIndexes1795900000240';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX coupons.offers_shopper_id_idx`);
    await queryRunner.query(
      `ALTER TABLE coupons.offers DROP CONSTRAINT offers_rule_id_shopper_id_trigger_event_id_key`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE coupons.offers ADD CONSTRAINT offers_rule_id_shopper_id_trigger_event_id_key
         UNIQUE (rule_id, shopper_id, trigger_event_id)`,
    );
    await queryRunner.query(`CREATE INDEX offers_shopper_id_idx ON coupons.offers (shopper_id)`);
  }
}
