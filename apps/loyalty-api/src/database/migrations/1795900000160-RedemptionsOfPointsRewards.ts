import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A points reward is redeemed for points, not money: its redemption may discount nothing, and
 * records the points it booked, so a void can take them back.
 */
export class RedemptionsOfPointsRewards1795900000160 implements MigrationInterface {
  name = 'RedemptionsOfPointsRewards1795900000160';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE loyalty.redemptions
        DROP CONSTRAINT redemptions_discount_cents_check,
        ADD COLUMN bonus_points integer NOT NULL DEFAULT 0 CHECK (bonus_points >= 0),
        ADD CONSTRAINT redemptions_gives_something
          CHECK (discount_cents >= 0 AND (discount_cents > 0 OR bonus_points > 0))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE loyalty.redemptions
        DROP CONSTRAINT redemptions_gives_something,
        DROP COLUMN bonus_points,
        ADD CONSTRAINT redemptions_discount_cents_check CHECK (discount_cents > 0)`);
  }
}
