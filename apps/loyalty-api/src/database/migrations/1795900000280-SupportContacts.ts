import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The call centre's record: each contact an agent logged (reason, note, outcome), each offer
 * support gave back once, and the reason the engine issued each offer (`offer-issued.v2`'s
 * reason tree; null for offers received before), shown on the screen pop.
 */
export class SupportContacts1795900000280 implements MigrationInterface {
  name = 'SupportContacts1795900000280';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE loyalty.offers ADD COLUMN reason jsonb`);
    await queryRunner.query(`
      CREATE TABLE loyalty.support_contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        household_id uuid NOT NULL,
        agent text NOT NULL,
        -- The agent's Idempotency-Key and a SHA-256 of the request: a retry gets the first answer.
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        channel text NOT NULL,
        reason text NOT NULL,
        outcome text NOT NULL,
        note text,
        contacted_at timestamptz NOT NULL,
        UNIQUE (agent, idempotency_key)
      )`);
    await queryRunner.query(
      `CREATE INDEX support_contacts_household_idx ON loyalty.support_contacts (household_id, contacted_at DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE loyalty.offer_reissues (
        offer_id uuid PRIMARY KEY,
        household_id uuid NOT NULL,
        agent text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        reason text NOT NULL,
        -- What the offer became, as answered.
        state text NOT NULL,
        valid_until timestamptz NOT NULL,
        reissued_at timestamptz NOT NULL,
        UNIQUE (agent, idempotency_key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE loyalty.offer_reissues`);
    await queryRunner.query(`DROP TABLE loyalty.support_contacts`);
    await queryRunner.query(`ALTER TABLE loyalty.offers DROP COLUMN reason`);
  }
}
