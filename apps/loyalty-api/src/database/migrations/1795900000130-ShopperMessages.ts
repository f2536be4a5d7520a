import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox of messages to shoppers. A row says what to send and to which household, never the
 * address or the text: both are read and rendered when it is sent, so a changed address, a
 * withdrawn consent or an erasure since it was queued is honoured.
 */
export class ShopperMessages1795900000130 implements MigrationInterface {
  name = 'ShopperMessages1795900000130';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.shopper_messages (
        id bigserial PRIMARY KEY,
        household_id uuid NOT NULL REFERENCES loyalty.households (id),
        kind text NOT NULL
          CHECK (kind IN ('offer-issued', 'offer-expiring', 'birthday', 'purchase-anniversary')),
        -- The offer it is about (offer messages; a birthday greeting with its birthday offer).
        offer_id uuid,
        -- The year of a yearly message; null for offer messages.
        year integer,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        queued_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CHECK ((kind IN ('birthday', 'purchase-anniversary')) = (year IS NOT NULL)),
        CHECK (kind IN ('birthday', 'purchase-anniversary') OR offer_id IS NOT NULL)
      )`);
    // Yearly messages once per household and year (offer messages have no year: NULLs differ).
    await queryRunner.query(
      `CREATE UNIQUE INDEX shopper_messages_yearly_idx ON loyalty.shopper_messages (household_id, kind, year)`,
    );
    // Offer messages once per offer and kind.
    await queryRunner.query(
      `CREATE UNIQUE INDEX shopper_messages_offer_idx ON loyalty.shopper_messages (kind, offer_id)
        WHERE year IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX shopper_messages_due_idx ON loyalty.shopper_messages (next_attempt_at)
        WHERE state = 'queued'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.shopper_messages`);
  }
}
