import { createJobsTableSql } from '@loyalty/platform';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaigns over the whole population, run by the platform's job runner: its jobs table, and one
 * row per rule version and occurrence (a cron time, or a programme day for the daily triggers)
 * that was run, with where its pass over the households stands, so an occurrence is issued once
 * and a stopped pass resumes after the last chunk it committed.
 */
export class Campaigns1795900000220 implements MigrationInterface {
  name = 'Campaigns1795900000220';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(createJobsTableSql('coupons.jobs'));
    await queryRunner.query(`
      CREATE TABLE coupons.campaign_runs (
        rule_id uuid NOT NULL,
        rule_version integer NOT NULL,
        -- The local date-time of a cron occurrence (2026-12-02T09:00) or the local date of a daily
        -- trigger's run (2026-12-02).
        occurrence text NOT NULL,
        occurred_at timestamptz NOT NULL,
        trigger text NOT NULL,
        state text NOT NULL CHECK (state IN ('running', 'done')),
        -- The last household of the last chunk committed (null: none yet).
        after_household_id uuid,
        offers integer NOT NULL DEFAULT 0,
        holdouts integer NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        PRIMARY KEY (rule_id, rule_version, occurrence)
      )`);
    // A stopped pass is looked for on every run.
    await queryRunner.query(
      `CREATE INDEX campaign_runs_running_idx ON coupons.campaign_runs (rule_id) WHERE state = 'running'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE coupons.campaign_runs`);
    await queryRunner.query(`DROP TABLE coupons.jobs`);
  }
}
