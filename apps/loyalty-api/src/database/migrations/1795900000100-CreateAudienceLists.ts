import { MigrationInterface, QueryRunner } from 'typeorm';

// Static audience lists marketing uploads (card numbers or household ids, resolved to households
// on upload). Coupon rules name one with `{ fact: 'inList', listId }`.
export class CreateAudienceLists1795900000100 implements MigrationInterface {
  name = 'CreateAudienceLists1795900000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.audience_lists (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        description text,
        -- A deleted list keeps its row (rules may still name it) and loses its members.
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
        -- One more with every change of the membership (an upload that changes it, the deletion).
        version integer NOT NULL DEFAULT 0,
        member_count integer NOT NULL DEFAULT 0,
        -- SHA-256 of the sorted member household ids: an upload of the same set changes nothing.
        members_hash bytea NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The primary key serves both readers: "is this household on the list" (the coupon engine's
    // EXISTS) and the whole list in household order. No foreign key to households: the upload
    // checked every household, and half a million checks more would double its insert.
    await queryRunner.query(`
      CREATE TABLE loyalty.audience_list_members (
        list_id uuid NOT NULL REFERENCES loyalty.audience_lists (id),
        household_id uuid NOT NULL,
        PRIMARY KEY (list_id, household_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.audience_list_members`);
    await queryRunner.query(`DROP TABLE loyalty.audience_lists`);
  }
}
