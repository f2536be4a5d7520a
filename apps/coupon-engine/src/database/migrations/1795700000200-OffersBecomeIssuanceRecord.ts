import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `coupons.offers` becomes the engine's issuance record (what it issued, to whom, why): an offer's
 * state is kept by loyalty-api's wallet (`loyalty.offers`), so the mirrored state goes. loyalty-api's
 * own migration copied the offers (with their redemptions) into the wallet before this ran, or
 * found no `coupons` schema.
 */
export class OffersBecomeIssuanceRecord1795700000200 implements MigrationInterface {
  name = 'OffersBecomeIssuanceRecord1795700000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX coupons.offers_shopper_id_state_idx`);
    await queryRunner.query(
      `ALTER TABLE coupons.offers DROP COLUMN state, DROP COLUMN redeemed_at`,
    );
    // The per-shopper limit counts a shopper's offers by rule.
    await queryRunner.query(`CREATE INDEX offers_shopper_id_idx ON coupons.offers (shopper_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX coupons.offers_shopper_id_idx`);
    await queryRunner.query(`
      ALTER TABLE coupons.offers
        ADD COLUMN state text NOT NULL DEFAULT 'issued'
          CHECK (state IN ('issued', 'redeemed', 'expired', 'revoked')),
        ADD COLUMN redeemed_at timestamptz`);
    await queryRunner.query(
      `CREATE INDEX offers_shopper_id_state_idx ON coupons.offers (shopper_id, state)`,
    );
  }
}
