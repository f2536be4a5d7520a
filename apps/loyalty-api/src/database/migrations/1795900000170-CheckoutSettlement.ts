import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the transaction stream settles after the lane (`docs/CHECKOUT.md`, "Voids, returns and
 * offline lanes"). A redemption may be cancelled (a void, or a return giving back its whole
 * discount: its offer goes back to the wallet and may be redeemed again, so an offer is used
 * once among the redemptions not cancelled) or partly given back (`returned_cents`); one made
 * from an offline lane's sale says so (`source`). `checkout_settlements` records each void,
 * return and sale settled, once, also one that arrives before what it refers to;
 * `checkout_conflicts` lists the offers offline lanes applied that could not be redeemed, for staff.
 */
export class CheckoutSettlement1795900000170 implements MigrationInterface {
  name = 'CheckoutSettlement1795900000170';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE loyalty.redemptions
        ADD COLUMN source text NOT NULL DEFAULT 'lane' CHECK (source IN ('lane', 'offline')),
        ADD COLUMN returned_cents integer NOT NULL DEFAULT 0
          CHECK (returned_cents BETWEEN 0 AND discount_cents),
        ADD COLUMN cancelled_at timestamptz,
        -- The void or return (store:posTransactionId) that cancelled it.
        ADD COLUMN cancelled_by text,
        ADD CONSTRAINT redemptions_cancelled_by CHECK ((cancelled_at IS NULL) = (cancelled_by IS NULL)),
        DROP CONSTRAINT redemptions_offer_id_key`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX redemptions_offer_once ON loyalty.redemptions (offer_id) WHERE cancelled_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX redemptions_by_transaction ON loyalty.redemptions (store_id, pos_transaction_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE loyalty.checkout_settlements (
        store_id text NOT NULL,
        pos_transaction_id text NOT NULL,
        type text NOT NULL CHECK (type IN ('sale', 'return', 'void')),
        original_pos_transaction_id text,
        -- What a return gives back: [{ "redemptionId"?, "code", "discountCents" }], and its refund.
        applied_offers jsonb NOT NULL DEFAULT '[]',
        refunded_cents bigint NOT NULL DEFAULT 0,
        -- Points it gave back of those that paid its sale.
        points_back bigint NOT NULL DEFAULT 0,
        -- A return whose sale's redemptions were not known yet: settled when they are.
        pending boolean NOT NULL DEFAULT false,
        occurred_at timestamptz NOT NULL,
        settled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (store_id, pos_transaction_id),
        CHECK ((type = 'sale') = (original_pos_transaction_id IS NULL))
      )`);
    await queryRunner.query(
      `CREATE INDEX checkout_settlements_by_original ON loyalty.checkout_settlements
         (store_id, original_pos_transaction_id) WHERE original_pos_transaction_id IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE loyalty.checkout_conflicts (
        id uuid PRIMARY KEY,
        store_id text NOT NULL,
        pos_transaction_id text NOT NULL,
        terminal_id text NOT NULL,
        offer_code text NOT NULL,
        -- The household of the sale's card, when the card is known.
        shopper_id uuid,
        discount_cents integer NOT NULL CHECK (discount_cents >= 0),
        reason text NOT NULL,
        occurred_at timestamptz NOT NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        resolution text CHECK (resolution IN ('accepted', 'recovered', 'written-off')),
        resolution_note text,
        resolved_by text,
        resolved_at timestamptz,
        CHECK ((resolution IS NULL) = (resolved_at IS NULL)),
        UNIQUE (store_id, pos_transaction_id, offer_code)
      )`);
    await queryRunner.query(
      `CREATE INDEX checkout_conflicts_open ON loyalty.checkout_conflicts (detected_at) WHERE resolved_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.checkout_conflicts`);
    await queryRunner.query(`DROP TABLE loyalty.checkout_settlements`);
    await queryRunner.query(`DROP INDEX loyalty.redemptions_by_transaction`);
    await queryRunner.query(`DROP INDEX loyalty.redemptions_offer_once`);
    await queryRunner.query(`
      ALTER TABLE loyalty.redemptions
        ADD CONSTRAINT redemptions_offer_id_key UNIQUE (offer_id),
        DROP COLUMN cancelled_by,
        DROP COLUMN cancelled_at,
        DROP COLUMN returned_cents,
        DROP COLUMN source`);
  }
}
