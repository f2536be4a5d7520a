import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The wallet takes offers of versioned rules (`coupon-engine.offer-issued.v2`): each records the
 * rule version it came from and the terms the checkout applies it by (uses, stores, priority,
 * stacking, budget); the offers already held get their reward in the versioned model's shape
 * (`{ scope: 'basket' }` becomes `{ basket: true }`, `{ scope: 'department', department }`
 * becomes `{ department }`), and no version or terms.
 */
export class WalletTakesVersionedOffers1795900000120 implements MigrationInterface {
  name = 'WalletTakesVersionedOffers1795900000120';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE loyalty.offers ADD COLUMN rule_version integer, ADD COLUMN terms jsonb`);
    await queryRunner.query(`
      UPDATE loyalty.offers
         SET reward = jsonb_set(reward, '{target}',
               CASE reward #>> '{target,scope}'
                 WHEN 'department' THEN jsonb_build_object('department', reward #> '{target,department}')
                 ELSE '{"basket": true}'::jsonb END)
       WHERE reward #> '{target,scope}' IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE loyalty.offers
         SET reward = jsonb_set(reward, '{target}',
               CASE WHEN reward #> '{target,department}' IS NOT NULL
                    THEN jsonb_build_object('scope', 'department', 'department', reward #> '{target,department}')
                    ELSE '{"scope": "basket"}'::jsonb END)
       WHERE reward #> '{target,scope}' IS NULL`);
    await queryRunner.query(
      `ALTER TABLE loyalty.offers DROP COLUMN rule_version, DROP COLUMN terms`,
    );
  }
}
