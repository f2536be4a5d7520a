import { MigrationInterface, QueryRunner } from 'typeorm';

// What enrolment, erasure and staff reads need beyond the shopper record's tables.
export class ShopperRecordKeepsItsPromises1795800000110 implements MigrationInterface {
  name = 'ShopperRecordKeepsItsPromises1795800000110';

  async up(queryRunner: QueryRunner): Promise<void> {
    // SHA-256 of the enrolment's canonical body: the same body again is a retry, another is refused.
    await queryRunner.query(`ALTER TABLE loyalty.shoppers ADD COLUMN enrolment_hash text`);
    // A keyed hash of the erased account holder's subject: their retried erasure finds its answer.
    await queryRunner.query(`ALTER TABLE loyalty.households ADD COLUMN erased_subject_hash bytea`);
    await queryRunner.query(
      `CREATE INDEX households_erased_subject_idx ON loyalty.households (erased_subject_hash)
        WHERE erased_subject_hash IS NOT NULL`,
    );
    // Cards of erased households, as a keyed hash only: never registered again, never linked back.
    await queryRunner.query(`
      CREATE TABLE loyalty.erased_cards (
        card_hash bytea PRIMARY KEY,
        household_id uuid NOT NULL REFERENCES loyalty.households (id),
        erased_at timestamptz NOT NULL
      )`);
    // Staff reads and changes of one household, for its export and its erasure.
    await queryRunner.query(
      `CREATE INDEX audit_log_entity_idx ON loyalty.audit_log (entity, entity_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX household_merges_target_idx ON loyalty.household_merges (target_household_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX loyalty.household_merges_target_idx`);
    await queryRunner.query(`DROP INDEX loyalty.audit_log_entity_idx`);
    await queryRunner.query(`DROP TABLE loyalty.erased_cards`);
    await queryRunner.query(`DROP INDEX loyalty.households_erased_subject_idx`);
    await queryRunner.query(`ALTER TABLE loyalty.households DROP COLUMN erased_subject_hash`);
    await queryRunner.query(`ALTER TABLE loyalty.shoppers DROP COLUMN enrolment_hash`);
  }
}
