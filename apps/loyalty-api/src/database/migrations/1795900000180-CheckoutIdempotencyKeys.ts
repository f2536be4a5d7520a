import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A redemption is named by the lane's `Idempotency-Key`, scoped to its terminal: the same key
 * again is a retry (the same body answered as first, another body refused). Requests recorded
 * before keys existed keep their POS transaction id as their key.
 */
export class CheckoutIdempotencyKeys1795900000180 implements MigrationInterface {
  name = 'CheckoutIdempotencyKeys1795900000180';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE loyalty.checkout_requests ADD COLUMN idempotency_key text`,
    );
    await queryRunner.query(
      `UPDATE loyalty.checkout_requests SET idempotency_key = pos_transaction_id`,
    );
    await queryRunner.query(
      `ALTER TABLE loyalty.checkout_requests ALTER COLUMN idempotency_key SET NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX checkout_requests_idempotency_key
         ON loyalty.checkout_requests (terminal_id, idempotency_key)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX loyalty.checkout_requests_idempotency_key`);
    await queryRunner.query(`ALTER TABLE loyalty.checkout_requests DROP COLUMN idempotency_key`);
  }
}
