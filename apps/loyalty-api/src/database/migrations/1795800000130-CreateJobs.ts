import { MigrationInterface, QueryRunner } from 'typeorm';

// loyalty-api's scheduled jobs (the daily points expiry) run on the platform's job runner: one
// row per job, the period last claimed, its progress and its lease.
export class CreateJobs1795800000130 implements MigrationInterface {
  name = 'CreateJobs1795800000130';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE loyalty.jobs (
        name text PRIMARY KEY,
        period text NOT NULL,
        cursor text,
        state text NOT NULL CHECK (state IN ('running', 'done')),
        owner text,
        lease_until timestamptz,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.jobs`);
  }
}
