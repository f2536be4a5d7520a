import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A crossSell condition reads what goes with one category, strongest first, per household of a
 * scheduled audience: the associations by their consequent.
 */
export class CrossSellAssociations1795900000290 implements MigrationInterface {
  name = 'CrossSellAssociations1795900000290';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX item_associations_consequent_idx
        ON coupons.item_associations (level, consequent, lift DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX coupons.item_associations_consequent_idx`);
  }
}
