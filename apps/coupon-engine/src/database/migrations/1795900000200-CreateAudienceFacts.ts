import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine's copy of what audiences read (the domain's `AudienceFacts`), one row a household,
 * so a scheduled rule judges every household in one query. Day counters are as of
 * `facts_as_of`; the compiled audience moves them to the day it is judged.
 */
export class CreateAudienceFacts1795900000200 implements MigrationInterface {
  name = 'CreateAudienceFacts1795900000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coupons.household_facts (
        household_id uuid PRIMARY KEY,
        facts_as_of date NOT NULL,
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
        enrolled_on date NOT NULL,
        home_store_id text,
        region text,
        age_band text,
        household_size smallint,
        income_band text,
        consent_personalised_offers boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE coupons.household_products (
        household_id uuid NOT NULL,
        sku text NOT NULL,
        department text,
        category text,
        brand text,
        spend_cents bigint NOT NULL,
        units numeric NOT NULL,
        last_bought_on date,
        PRIMARY KEY (household_id, sku)
      )`);
    // "Bought department X within N days" over a million households is driven from the product
    // side: the item and the date range pick the few rows, the included household id joins them.
    // Sums per household (productSpend) use the primary key.
    for (const item of ['sku', 'department', 'category', 'brand']) {
      await queryRunner.query(`
        CREATE INDEX household_products_${item}_idx
          ON coupons.household_products (${item}, last_bought_on) INCLUDE (household_id)`);
    }
    await queryRunner.query(`
      CREATE TABLE coupons.list_members (
        list_id uuid NOT NULL,
        household_id uuid NOT NULL,
        PRIMARY KEY (list_id, household_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coupons.list_members`);
    await queryRunner.query(`DROP TABLE coupons.household_products`);
    await queryRunner.query(`DROP TABLE coupons.household_facts`);
  }
}
