import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the checkout enforces of the rules when offers are used. A points reward is redeemed for
 * points, not money: its redemption may discount nothing, and records the points it booked, so a
 * void can take them back. A redemption names its rule and the period of the rule's
 * per-household cap it counts in; `rule_budgets` holds what each rule's redemptions spent of its
 * money budget (the budget is the rule's current version's `budgetCents`).
 */
export class CheckoutEnforcesRules1795900000160 implements MigrationInterface {
  name = 'CheckoutEnforcesRules1795900000160';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE loyalty.redemptions
        DROP CONSTRAINT redemptions_discount_cents_check,
        ADD COLUMN bonus_points integer NOT NULL DEFAULT 0 CHECK (bonus_points >= 0),
        ADD CONSTRAINT redemptions_gives_something
          CHECK (discount_cents >= 0 AND (discount_cents > 0 OR bonus_points > 0)),
        -- Null for redemptions made before they named them.
        ADD COLUMN rule_id uuid,
        ADD COLUMN cap_period text`);
    // The household's redemptions of a rule in a cap period, counted at every redemption.
    await queryRunner.query(
      `CREATE INDEX redemptions_household_cap ON loyalty.redemptions (shopper_id, rule_id, cap_period)`,
    );
    await queryRunner.query(`
      CREATE TABLE loyalty.rule_budgets (
        rule_id uuid PRIMARY KEY,
        spent_cents bigint NOT NULL DEFAULT 0 CHECK (spent_cents >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.rule_budgets`);
    await queryRunner.query(`DROP INDEX loyalty.redemptions_household_cap`);
    await queryRunner.query(`
      ALTER TABLE loyalty.redemptions
        DROP COLUMN cap_period,
        DROP COLUMN rule_id,
        DROP CONSTRAINT redemptions_gives_something,
        DROP COLUMN bonus_points,
        ADD CONSTRAINT redemptions_discount_cents_check CHECK (discount_cents > 0)`);
  }
}
