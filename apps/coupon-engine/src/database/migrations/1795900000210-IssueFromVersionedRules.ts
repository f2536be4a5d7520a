import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine issues from versioned rules (`loyalty-api.rule-changed.v2`): every version it
 * received, and each rule's current status and version (the highest revision wins). An offer
 * records the version it came from and its issuance period: one offer per rule version,
 * household and period, whatever runs or redeliveries overlap. A household held out as the
 * rule's control group is recorded with the reason instead. The copy of rule-changed.v1 goes.
 */
export class IssueFromVersionedRules1795900000210 implements MigrationInterface {
  name = 'IssueFromVersionedRules1795900000210';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coupons.rule_versions (
        rule_id uuid NOT NULL,
        version integer NOT NULL,
        definition jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rule_id, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE coupons.rule_states (
        rule_id uuid PRIMARY KEY,
        revision integer NOT NULL,
        status text NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'ended')),
        version integer NOT NULL,
        changed_at timestamptz NOT NULL,
        FOREIGN KEY (rule_id, version) REFERENCES coupons.rule_versions (rule_id, version)
      )`);
    await queryRunner.query(`DROP TABLE coupons.rules`);
    await queryRunner.query(`
      ALTER TABLE coupons.offers
        ADD COLUMN rule_version integer,
        ADD COLUMN period_key text,
        -- Why it was kept when the weekly limit chose among several matching rules.
        ADD COLUMN ranking jsonb,
        ALTER COLUMN trigger_event_id DROP NOT NULL`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX offers_issuance_key ON coupons.offers (rule_id, rule_version, shopper_id, period_key)
        WHERE rule_version IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE coupons.holdouts (
        rule_id uuid NOT NULL,
        rule_version integer NOT NULL,
        household_id uuid NOT NULL,
        period_key text NOT NULL,
        reason jsonb NOT NULL,
        decided_at timestamptz NOT NULL,
        PRIMARY KEY (rule_id, rule_version, household_id, period_key)
      )`);
    await queryRunner.query(
      `CREATE INDEX holdouts_household_id_idx ON coupons.holdouts (household_id)`,
    );
    // A household's offers of the last 7 days, for its weekly limit.
    await queryRunner.query(
      `CREATE INDEX offers_shopper_id_issued_at_idx ON coupons.offers (shopper_id, issued_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX coupons.offers_shopper_id_issued_at_idx`);
    await queryRunner.query(`DROP TABLE coupons.holdouts`);
    await queryRunner.query(`DROP INDEX coupons.offers_issuance_key`);
    await queryRunner.query(`
      ALTER TABLE coupons.offers DROP COLUMN rule_version, DROP COLUMN period_key, DROP COLUMN ranking,
        ALTER COLUMN trigger_event_id SET NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE coupons.rules (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        status text NOT NULL,
        audience jsonb NOT NULL,
        reward jsonb NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        offer_valid_days integer NOT NULL,
        per_shopper_limit integer NOT NULL,
        version integer NOT NULL,
        changed_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`DROP TABLE coupons.rule_states`);
    await queryRunner.query(`DROP TABLE coupons.rule_versions`);
  }
}
