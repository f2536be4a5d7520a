import { MigrationInterface, QueryRunner } from 'typeorm';

// The central customer record: households, their members and cards, consent and the points
// ledger, owned by loyalty-api. A household seen only as a card at a till has no row here until
// it registers or earns points: its id is derived from the card (`householdIdForCard`).
export class CreateShopperRecord1795800000100 implements MigrationInterface {
  name = 'CreateShopperRecord1795800000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.households (
        id uuid PRIMARY KEY,
        registered boolean NOT NULL DEFAULT false,
        enrolled_at timestamptz,
        -- Set when support merged this household into another (which now holds its cards).
        merged_into uuid REFERENCES loyalty.households (id),
        erased_at timestamptz,
        -- The version of its household-changed event: one more with every change.
        version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A person of a household. The account holder can sign in: \`subject\` is the identity
    // provider's subject of their shopper token.
    await queryRunner.query(`
      CREATE TABLE loyalty.shoppers (
        id uuid PRIMARY KEY,
        household_id uuid NOT NULL REFERENCES loyalty.households (id),
        account_holder boolean NOT NULL DEFAULT false,
        subject text UNIQUE,
        given_name text,
        family_name text,
        -- Lower case, as entered otherwise.
        email text,
        -- E.164.
        phone text,
        birthday date,
        home_store_id text,
        postcode text,
        preferred_language text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX shoppers_household_id_idx ON loyalty.shoppers (household_id)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX shoppers_email_idx ON loyalty.shoppers (email) WHERE email IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX shoppers_phone_idx ON loyalty.shoppers (phone) WHERE phone IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX shoppers_one_account_holder_idx ON loyalty.shoppers (household_id) WHERE account_holder`,
    );
    await queryRunner.query(`
      CREATE TABLE loyalty.cards (
        card_number text PRIMARY KEY,
        household_id uuid NOT NULL REFERENCES loyalty.households (id),
        -- The member who carries it; null for a household's spare card or key fob.
        holder_id uuid REFERENCES loyalty.shoppers (id),
        kind text NOT NULL DEFAULT 'card' CHECK (kind IN ('card', 'key-fob', 'digital')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'lost', 'blocked', 'replaced')),
        replaced_by text REFERENCES loyalty.cards (card_number),
        status_changed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX cards_household_id_idx ON loyalty.cards (household_id)`);
    // Consent is the account holder's, per purpose; every change is kept with who made it.
    await queryRunner.query(`
      CREATE TABLE loyalty.consents (
        household_id uuid NOT NULL REFERENCES loyalty.households (id),
        purpose text NOT NULL CHECK (purpose IN ('email', 'sms', 'personalisedOffers', 'profiling')),
        granted boolean NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (household_id, purpose)
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.consent_history (
        id bigserial PRIMARY KEY,
        household_id uuid NOT NULL REFERENCES loyalty.households (id),
        purpose text NOT NULL,
        granted boolean NOT NULL,
        -- Who: the shopper's or the agent's subject and role.
        changed_by text NOT NULL,
        changed_by_role text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX consent_history_household_id_idx ON loyalty.consent_history (household_id)`,
    );
    // A merge is recorded once per source household: merging it again answers the same.
    await queryRunner.query(`
      CREATE TABLE loyalty.household_merges (
        source_household_id uuid PRIMARY KEY REFERENCES loyalty.households (id),
        target_household_id uuid NOT NULL REFERENCES loyalty.households (id),
        merged_by text NOT NULL,
        merged_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The points ledger: append-only, one entry per cause and household; the balance is cached.
    await queryRunner.query(`
      CREATE TABLE loyalty.points_accounts (
        household_id uuid PRIMARY KEY,
        balance bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.points_ledger (
        id bigserial PRIMARY KEY,
        household_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('earn', 'reverse', 'adjust', 'expire', 'redeem', 'transfer')),
        points bigint NOT NULL,
        source_type text NOT NULL,
        source_id text NOT NULL,
        -- When its cause happened (a sale's time): points expire counted from it.
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        -- For adjustments: the agent and their reason.
        agent text,
        note text,
        UNIQUE (source_type, source_id, household_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX points_ledger_household_idx ON loyalty.points_ledger (household_id, occurred_at)`,
    );
    // A database set up before the move: copy the ledger pos-ingest kept (its shopper ids are the
    // household ids). Read once, here only; points booked then expire counted from their booking.
    await queryRunner.query(`
      DO $$
      BEGIN
        IF to_regclass('ingest.points_ledger') IS NOT NULL THEN
          INSERT INTO loyalty.points_ledger (household_id, kind, points, source_type, source_id, occurred_at, recorded_at)
          SELECT shopper_id, kind, points, source_type, source_id, recorded_at, recorded_at
            FROM ingest.points_ledger
          ON CONFLICT DO NOTHING;
          INSERT INTO loyalty.points_accounts (household_id, balance)
          SELECT household_id, sum(points) FROM loyalty.points_ledger GROUP BY household_id;
        END IF;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'points_ledger',
      'points_accounts',
      'household_merges',
      'consent_history',
      'consents',
      'cards',
      'shoppers',
      'households',
    ])
      await queryRunner.query(`DROP TABLE loyalty.${table}`);
  }
}
