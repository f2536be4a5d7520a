import { MigrationInterface, QueryRunner } from 'typeorm';

// What goes with what, and what the population buys, mined from the baskets by the item insight
// job, per level (`product`: SKUs; `category`: product categories). Aggregates over populations:
// no household is named.
export class ItemInsight1795900000280 implements MigrationInterface {
  name = 'ItemInsight1795900000280';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coupons.item_associations (
        level text NOT NULL CHECK (level IN ('product', 'category')),
        antecedent text NOT NULL,
        consequent text NOT NULL,
        together integer NOT NULL,
        support double precision NOT NULL,
        confidence double precision NOT NULL,
        lift double precision NOT NULL,
        PRIMARY KEY (level, antecedent, consequent)
      )`);
    await queryRunner.query(`
      CREATE TABLE coupons.item_popularity (
        level text NOT NULL CHECK (level IN ('product', 'category')),
        item text NOT NULL,
        households integer NOT NULL,
        -- Of the households with a sale in the window, the share that bought the item.
        share double precision NOT NULL,
        PRIMARY KEY (level, item)
      )`);
    // The last mining of each level: its window and what it saw.
    await queryRunner.query(`
      CREATE TABLE coupons.item_insight_runs (
        level text PRIMARY KEY CHECK (level IN ('product', 'category')),
        window_from date NOT NULL,
        window_to date NOT NULL,
        baskets integer NOT NULL,
        households integer NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coupons.item_insight_runs`);
    await queryRunner.query(`DROP TABLE coupons.item_popularity`);
    await queryRunner.query(`DROP TABLE coupons.item_associations`);
  }
}
