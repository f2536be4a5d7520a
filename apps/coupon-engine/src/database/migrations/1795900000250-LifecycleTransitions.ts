import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lifecycle transitions pos-ingest publishes (`lifecycle-changed.v1`), so a campaign on a
 * transition judges the segment left as well as the one entered. A campaign judges only its own
 * day: each household keeps the transitions of its last weeks (the consumer prunes the rest).
 */
export class LifecycleTransitions1795900000250 implements MigrationInterface {
  name = 'LifecycleTransitions1795900000250';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coupons.lifecycle_transitions (
        household_id uuid NOT NULL,
        changed_on date NOT NULL,
        to_segment text NOT NULL,
        -- Null for the household's first segment.
        from_segment text,
        PRIMARY KEY (household_id, changed_on, to_segment)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coupons.lifecycle_transitions`);
  }
}
