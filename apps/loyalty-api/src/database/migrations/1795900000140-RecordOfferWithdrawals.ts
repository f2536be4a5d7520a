import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The wallet hears of withdrawn offers (`coupon-engine.offer-withdrawn.v1`). Every withdrawal is
 * recorded, also one that arrives before its offer (the two topics keep no order between them):
 * the offer's `offer-issued` then enters the wallet already expired or revoked.
 */
export class RecordOfferWithdrawals1795900000140 implements MigrationInterface {
  name = 'RecordOfferWithdrawals1795900000140';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.offer_withdrawals (
        offer_id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('expired', 'revoked')),
        cause text NOT NULL,
        withdrawn_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.offer_withdrawals`);
  }
}
