import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine's own copy of marketing's rules, kept from `loyalty-api.rule-changed.v1`: it no
 * longer reads `loyalty.coupon_rules`. `version` is the newest change applied.
 */
export class CreateRulesCopy1795700000300 implements MigrationInterface {
  name = 'CreateRulesCopy1795700000300';

  async up(queryRunner: QueryRunner): Promise<void> {
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coupons.rules`);
  }
}
