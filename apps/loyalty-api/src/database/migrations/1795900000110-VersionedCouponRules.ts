import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Coupon rules of the versioned model (`rules/rule-model.ts` in the domain): a rule's status and
 * counters in `loyalty.rules`, each definition it ever had in `loyalty.rule_versions` (never
 * updated), and the idempotency keys of its creation in `loyalty.rule_create_requests`.
 *
 * `loyalty.coupon_rules` (the old model) goes. Its rules cannot be written in the new model
 * without guessing (a lifetime spend has no fact there), so they are not carried over: each is
 * kept in the audit log as `rule.retired` with its whole old definition. No table references
 * rules by key: `loyalty.offers.rule_id` has no foreign key, so offers issued under old rules
 * keep their ids and new offers of those ids are still accepted.
 */
export class VersionedCouponRules1795900000110 implements MigrationInterface {
  name = 'VersionedCouponRules1795900000110';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.rules (
        id uuid PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'ended')),
        version integer NOT NULL CHECK (version > 0),
        revision integer NOT NULL CHECK (revision >= version),
        name text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // The list's keyset, newest first, with and without a status filter.
    await queryRunner.query(`CREATE INDEX rules_created ON loyalty.rules (created_at, id)`);
    await queryRunner.query(
      `CREATE INDEX rules_status_created ON loyalty.rules (status, created_at, id)`,
    );
    await queryRunner.query(`
      CREATE TABLE loyalty.rule_versions (
        rule_id uuid NOT NULL REFERENCES loyalty.rules (id),
        version integer NOT NULL CHECK (version > 0),
        definition jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (rule_id, version)
      )`);
    // Issued offers name the version they came from: a definition never changes once written.
    await queryRunner.query(`
      CREATE FUNCTION loyalty.refuse_rule_version_change() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'loyalty.rule_versions is append-only';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER rule_versions_append_only
        BEFORE UPDATE OR DELETE ON loyalty.rule_versions
        FOR EACH ROW EXECUTE FUNCTION loyalty.refuse_rule_version_change()`);
    // The request row is written before its rule (it decides between racing twins), so the
    // reference is checked at commit.
    await queryRunner.query(`
      CREATE TABLE loyalty.rule_create_requests (
        subject text NOT NULL,
        idempotency_key text NOT NULL,
        body_sha256 text NOT NULL,
        rule_id uuid NOT NULL REFERENCES loyalty.rules (id) DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subject, idempotency_key)
      )`);
    await queryRunner.query(`
      INSERT INTO loyalty.audit_log (actor, action, entity, entity_id, details)
      SELECT 'migration:VersionedCouponRules', 'rule.retired', 'coupon_rule', id::text,
             to_jsonb(r) - 'id'
        FROM loyalty.coupon_rules r
       ORDER BY created_at, id`);
    await queryRunner.query(`DROP TABLE loyalty.coupon_rules`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.rule_create_requests`);
    await queryRunner.query(`DROP TABLE loyalty.rule_versions`);
    await queryRunner.query(`DROP FUNCTION loyalty.refuse_rule_version_change()`);
    await queryRunner.query(`DROP TABLE loyalty.rules`);
    await queryRunner.query(`
      CREATE TABLE loyalty.coupon_rules (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'paused')),
        audience jsonb NOT NULL,
        reward jsonb NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL CHECK (valid_until > valid_from),
        offer_valid_days integer NOT NULL CHECK (offer_valid_days > 0),
        per_shopper_limit integer NOT NULL CHECK (per_shopper_limit > 0),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1 CHECK (version > 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }
}
