import { MigrationInterface, QueryRunner } from 'typeorm';

/** An erasure takes the household off every audience list it is on: found by household. */
export class AudienceListMembersByHousehold1795900000150 implements MigrationInterface {
  name = 'AudienceListMembersByHousehold1795900000150';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX audience_list_members_household ON loyalty.audience_list_members (household_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX loyalty.audience_list_members_household`);
  }
}
