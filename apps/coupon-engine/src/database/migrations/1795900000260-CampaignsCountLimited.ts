import { MigrationInterface, QueryRunner } from 'typeorm';

/** A campaign leaves out households at their weekly offer limit, and counts them. */
export class CampaignsCountLimited1795900000260 implements MigrationInterface {
  name = 'CampaignsCountLimited1795900000260';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE coupons.campaign_runs ADD COLUMN limited integer NOT NULL DEFAULT 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE coupons.campaign_runs DROP COLUMN limited`);
  }
}
