import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The offer wallet moves to loyalty-api: `offers` holds each issued offer and its state, filled
 * from `coupon-engine.offer-issued.v1`; `checkout_requests` answers a POS retry of a redemption.
 */
export class CreateOfferWallet1795700000100 implements MigrationInterface {
  name = 'CreateOfferWallet1795700000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.offers (
        id uuid PRIMARY KEY,
        code text NOT NULL UNIQUE,
        shopper_id uuid NOT NULL,
        rule_id uuid NOT NULL,
        reward jsonb NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        issued_at timestamptz NOT NULL,
        state text NOT NULL
          CHECK (state IN ('issued', 'clipped', 'reserved', 'redeemed', 'expired', 'revoked')),
        clipped_at timestamptz,
        -- When it became reserved, redeemed, expired or revoked.
        state_changed_at timestamptz,
        -- The checkout it is held for (reserved) or was used at (redeemed).
        store_id text,
        pos_transaction_id text,
        received_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((state IN ('issued', 'clipped')) = (state_changed_at IS NULL)),
        CHECK ((state IN ('reserved', 'redeemed')) = (store_id IS NOT NULL AND pos_transaction_id IS NOT NULL)),
        CHECK (state <> 'clipped' OR clipped_at IS NOT NULL)
      )`);
    await queryRunner.query(`CREATE INDEX offers_shopper_id_idx ON loyalty.offers (shopper_id)`);
    await queryRunner.query(`
      CREATE TABLE loyalty.checkout_requests (
        store_id text NOT NULL,
        pos_transaction_id text NOT NULL,
        terminal_id text NOT NULL,
        -- SHA-256 of the request's canonical JSON: the same id with another body is a conflict.
        request_hash text NOT NULL,
        -- The 200 answer, as sent (json keeps its text); set in the transaction that inserted the row.
        answer json,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (store_id, pos_transaction_id)
      )`);
    // A database set up before the move: copy the offers coupon-engine issued, with the state
    // loyalty-api's redemptions decided (the engine never set any other). Read once, here only.
    await queryRunner.query(`
      DO $$
      BEGIN
        IF to_regclass('coupons.offers') IS NOT NULL THEN
          INSERT INTO loyalty.offers (id, code, shopper_id, rule_id, reward, valid_from, valid_until,
                                      issued_at, state, state_changed_at, store_id, pos_transaction_id)
          SELECT o.id, o.code, o.shopper_id, o.rule_id, o.reward, o.valid_from, o.valid_until, o.issued_at,
                 CASE WHEN r.offer_id IS NULL THEN 'issued' ELSE 'redeemed' END,
                 r.redeemed_at, r.store_id, r.pos_transaction_id
            FROM coupons.offers o
            LEFT JOIN loyalty.redemptions r ON r.offer_id = o.id
          ON CONFLICT DO NOTHING;
        END IF;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.checkout_requests`);
    await queryRunner.query(`DROP TABLE loyalty.offers`);
  }
}
