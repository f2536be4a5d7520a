import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The store register: each store's name and region, kept by admins, read by the reports;
 * `version` numbers its changes for the `store-changed` copies.
 */
export class StoreRegister1795900000310 implements MigrationInterface {
  name = 'StoreRegister1795900000310';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.stores (
        id text PRIMARY KEY,
        name text NOT NULL,
        region text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.stores`);
  }
}
