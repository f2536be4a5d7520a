import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine withdraws offers: `withdrawn` says how (expired when its validity ended, revoked
 * when its rule ended or the household withdrew its consent) and `withdrawn_at` when, set once,
 * with the offer's `offer-withdrawn.v1` written to the outbox in the same transaction. The expiry
 * job finds the offers still out whose validity ended by a partial index.
 */
export class OfferWithdrawals1795900000230 implements MigrationInterface {
  name = 'OfferWithdrawals1795900000230';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE coupons.offers
        ADD COLUMN withdrawn text CHECK (withdrawn IN ('expired', 'revoked')),
        ADD COLUMN withdrawn_at timestamptz,
        ADD CONSTRAINT offers_withdrawn_at_check CHECK ((withdrawn IS NULL) = (withdrawn_at IS NULL))`);
    await queryRunner.query(
      `CREATE INDEX offers_valid_until_idx ON coupons.offers (valid_until) WHERE withdrawn IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX coupons.offers_valid_until_idx`);
    await queryRunner.query(
      `ALTER TABLE coupons.offers DROP COLUMN withdrawn, DROP COLUMN withdrawn_at`,
    );
  }
}
