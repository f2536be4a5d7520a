import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine's copy of what audiences read (the domain's `AudienceFacts`), one row a household,
 * so a scheduled rule judges every household in one query: the facts from pos-ingest's
 * `profile-changed.v2`, the enrolment, birthday, home store and consent from loyalty-api's
 * `household-changed.v1`. Day counters are as of `facts_as_of`; the compiled audience moves them
 * to the day it is judged. Products and static lists are read in place (named reads).
 */
export class CreateAudienceFacts1795900000200 implements MigrationInterface {
  name = 'CreateAudienceFacts1795900000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coupons.household_facts (
        household_id uuid PRIMARY KEY,
        -- Null until pos-ingest published the household's facts (enrolled, never seen at a till).
        facts_as_of date,
        spend_4w_cents bigint NOT NULL DEFAULT 0,
        visits_4w integer NOT NULL DEFAULT 0,
        spend_13w_cents bigint NOT NULL DEFAULT 0,
        visits_13w integer NOT NULL DEFAULT 0,
        spend_52w_cents bigint NOT NULL DEFAULT 0,
        visits_52w integer NOT NULL DEFAULT 0,
        average_basket_52w_cents bigint,
        cadence_days numeric,
        next_visit_due_on date,
        days_since_last_visit integer,
        r_score smallint,
        f_score smallint,
        m_score smallint,
        lifecycle text,
        lifecycle_since date,
        tier text NOT NULL DEFAULT 'bronze',
        tier_since date,
        birthday text,
        birthday_in_days integer,
        enrolled_on date,
        home_store_id text,
        region text,
        age_band text,
        household_size smallint,
        income_band text,
        consent_personalised_offers boolean NOT NULL DEFAULT false,
        -- The household-changed version the identity columns are from (0: none yet).
        household_version integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coupons.household_facts`);
  }
}
