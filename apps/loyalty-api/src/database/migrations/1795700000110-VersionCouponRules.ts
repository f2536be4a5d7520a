import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rules reach coupon-engine by event (`loyalty-api.rule-changed.v1`) instead of its reading
 * `loyalty.coupon_rules`: each rule gets a version that grows with every change, and the rules
 * that exist already are put in the outbox once, so the engine's copy starts complete.
 */
export class VersionCouponRules1795700000110 implements MigrationInterface {
  name = 'VersionCouponRules1795700000110';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE loyalty.coupon_rules
        ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0),
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`UPDATE loyalty.coupon_rules SET updated_at = created_at`);
    await queryRunner.query(`
      INSERT INTO loyalty.outbox (topic, key, payload)
      SELECT 'loyalty-api.rule-changed.v1', id::text,
             jsonb_build_object(
               'rule', jsonb_build_object(
                 'id', id, 'name', name, 'status', status, 'audience', audience, 'reward', reward,
                 'validFrom', to_char(valid_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                 'validUntil', to_char(valid_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                 'offerValidDays', offer_valid_days, 'perShopperLimit', per_shopper_limit),
               'version', version,
               'changedAt', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM loyalty.coupon_rules
       ORDER BY created_at, id`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE loyalty.coupon_rules DROP COLUMN version, DROP COLUMN updated_at`,
    );
  }
}
