import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A slow lane may hold the offers of its quote for a short time (`reserve: true`): each held
 * offer is a row until `expires_at`, counting against its rule's budget (`discount_cents`) and
 * its household's cap (`cap_period`) like a redemption. A held offer is not another checkout's
 * to quote or redeem. Past `expires_at` a row holds nothing; releasing or redeeming deletes it.
 */
export class CheckoutReservations1795900000190 implements MigrationInterface {
  name = 'CheckoutReservations1795900000190';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.checkout_reservations (
        offer_id uuid PRIMARY KEY,
        household_id uuid NOT NULL,
        rule_id uuid NOT NULL,
        store_id text NOT NULL,
        pos_transaction_id text NOT NULL,
        terminal_id text NOT NULL,
        discount_cents integer NOT NULL CHECK (discount_cents >= 0),
        cap_period text,
        reserved_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL CHECK (expires_at > reserved_at)
      )`);
    await queryRunner.query(
      `CREATE INDEX checkout_reservations_by_checkout ON loyalty.checkout_reservations (store_id, pos_transaction_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX checkout_reservations_by_rule ON loyalty.checkout_reservations (rule_id, expires_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX checkout_reservations_by_household ON loyalty.checkout_reservations (household_id, rule_id, cap_period)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.checkout_reservations`);
  }
}
