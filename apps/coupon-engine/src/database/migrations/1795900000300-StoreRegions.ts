import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine's copy of the store register's regions, from loyalty-api's `store-changed` events.
 * A household's region is its home store's, read through this copy when an audience is judged,
 * so a store moved to another region moves its households with it. The household facts' own
 * `region` column, which nothing fed, is no longer read; a later release drops it (instances of
 * the previous release still name it while a deploy rolls).
 */
export class StoreRegions1795900000300 implements MigrationInterface {
  name = 'StoreRegions1795900000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE coupons.store_regions (
        store_id text PRIMARY KEY,
        region text NOT NULL,
        -- The store-changed version the region is from.
        version integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coupons.store_regions`);
  }
}
