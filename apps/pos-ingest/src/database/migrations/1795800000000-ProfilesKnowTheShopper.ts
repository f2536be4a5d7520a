import { MigrationInterface, QueryRunner } from 'typeorm';

// Profiles that know the shopper. `ingest.shoppers` and `ingest.cards` become pos-ingest's copy
// of loyalty-api's households and cards (from household-changed events); a profile is kept per
// household from per-week, per-product and per-store sums (order-independent), and the facts
// derived from them (windows, scores, lifecycle, cadence, tier) are columns of the profile.
// The points ledger moved to loyalty-api: `ingest.points_ledger` is no longer written and is
// dropped in a later release (loyalty-api copies it once). `points_balance` is still kept (the
// sum of the household's transactions' points) for `profile-changed.v1` until its consumers move.
export class ProfilesKnowTheShopper1795800000000 implements MigrationInterface {
  name = 'ProfilesKnowTheShopper1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE ingest.shoppers
        ADD COLUMN household_version integer NOT NULL DEFAULT 0,
        ADD COLUMN merged_into uuid,
        ADD COLUMN enrolled_on date,
        ADD COLUMN birthday text CHECK (birthday ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
        ADD COLUMN home_store_id text,
        ADD COLUMN consent jsonb NOT NULL
          DEFAULT '{"email": false, "sms": false, "personalisedOffers": false, "profiling": false}',
        ADD COLUMN erased_at timestamptz`);
    // A card moves to the household whose event listed it last (by loyalty-api's clock).
    await queryRunner.query(`ALTER TABLE ingest.cards ADD COLUMN household_changed_at timestamptz`);
    // Cards of erased households, as a keyed hash: their transactions stay anonymous forever.
    await queryRunner.query(`
      CREATE TABLE ingest.erased_cards (
        card_hash bytea PRIMARY KEY,
        erased_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Sums per household and week (Monday of the business date): the rolling windows.
    await queryRunner.query(`
      CREATE TABLE ingest.shopper_weeks (
        shopper_id uuid NOT NULL REFERENCES ingest.shoppers (id),
        week_start date NOT NULL,
        spend_cents bigint NOT NULL,
        visits integer NOT NULL,
        PRIMARY KEY (shopper_id, week_start)
      )`);
    await queryRunner.query(`
      CREATE TABLE ingest.shopper_products (
        shopper_id uuid NOT NULL REFERENCES ingest.shoppers (id),
        sku text NOT NULL,
        department text NOT NULL,
        category text,
        brand text,
        spend_cents bigint NOT NULL,
        units numeric(18, 3) NOT NULL,
        -- Sales that bought it, and the first and last business date it was bought on.
        purchases integer NOT NULL,
        first_bought_on date,
        last_bought_on date,
        PRIMARY KEY (shopper_id, sku)
      )`);
    await queryRunner.query(`
      CREATE TABLE ingest.shopper_stores (
        shopper_id uuid NOT NULL REFERENCES ingest.shoppers (id),
        store_id text NOT NULL,
        visits integer NOT NULL,
        spend_cents bigint NOT NULL,
        last_visit_on date,
        PRIMARY KEY (shopper_id, store_id)
      )`);
    await queryRunner.query(`
      ALTER TABLE ingest.shopper_profiles
        ADD COLUMN spend_4w_cents bigint NOT NULL DEFAULT 0,
        ADD COLUMN visits_4w integer NOT NULL DEFAULT 0,
        ADD COLUMN spend_13w_cents bigint NOT NULL DEFAULT 0,
        ADD COLUMN visits_13w integer NOT NULL DEFAULT 0,
        ADD COLUMN spend_52w_cents bigint NOT NULL DEFAULT 0,
        ADD COLUMN visits_52w integer NOT NULL DEFAULT 0,
        -- The latest distinct visit days (bounded), for the purchase cadence.
        ADD COLUMN recent_visit_days date[] NOT NULL DEFAULT '{}',
        ADD COLUMN cadence_days numeric(7, 1),
        ADD COLUMN next_visit_due_on date,
        ADD COLUMN days_since_last_visit integer,
        ADD COLUMN r_score smallint,
        ADD COLUMN f_score smallint,
        ADD COLUMN m_score smallint,
        ADD COLUMN lifecycle text,
        ADD COLUMN lifecycle_since date,
        ADD COLUMN tier text NOT NULL DEFAULT 'bronze',
        ADD COLUMN tier_since date,
        ADD COLUMN birthday_in_days integer,
        -- Top N with the rest summed: [{ "name", "spendCents", "units" }, ..., { "rest": true, ... }].
        ADD COLUMN top_departments jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN top_categories jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN top_brands jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN top_products jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN favourite_stores jsonb NOT NULL DEFAULT '[]',
        -- The day the time-dependent facts were last computed for.
        ADD COLUMN facts_as_of date`);
    await queryRunner.query(`
      CREATE TABLE ingest.lifecycle_transitions (
        id bigserial PRIMARY KEY,
        shopper_id uuid NOT NULL REFERENCES ingest.shoppers (id),
        from_segment text,
        to_segment text NOT NULL,
        on_date date NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX lifecycle_transitions_shopper_idx ON ingest.lifecycle_transitions (shopper_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ingest.lifecycle_transitions`);
    await queryRunner.query(`
      ALTER TABLE ingest.shopper_profiles
        DROP COLUMN spend_4w_cents, DROP COLUMN visits_4w, DROP COLUMN spend_13w_cents,
        DROP COLUMN visits_13w, DROP COLUMN spend_52w_cents, DROP COLUMN visits_52w,
        DROP COLUMN recent_visit_days, DROP COLUMN cadence_days, DROP COLUMN next_visit_due_on,
        DROP COLUMN days_since_last_visit, DROP COLUMN r_score, DROP COLUMN f_score,
        DROP COLUMN m_score, DROP COLUMN lifecycle, DROP COLUMN lifecycle_since, DROP COLUMN tier,
        DROP COLUMN tier_since, DROP COLUMN birthday_in_days, DROP COLUMN top_departments,
        DROP COLUMN top_categories, DROP COLUMN top_brands, DROP COLUMN top_products,
        DROP COLUMN favourite_stores, DROP COLUMN facts_as_of`);
    await queryRunner.query(`DROP TABLE ingest.shopper_stores`);
    await queryRunner.query(`DROP TABLE ingest.shopper_products`);
    await queryRunner.query(`DROP TABLE ingest.shopper_weeks`);
    await queryRunner.query(`DROP TABLE ingest.erased_cards`);
    await queryRunner.query(`ALTER TABLE ingest.cards DROP COLUMN household_changed_at`);
    await queryRunner.query(`
      ALTER TABLE ingest.shoppers
        DROP COLUMN household_version, DROP COLUMN merged_into, DROP COLUMN enrolled_on,
        DROP COLUMN birthday, DROP COLUMN home_store_id, DROP COLUMN consent, DROP COLUMN erased_at`);
  }
}
