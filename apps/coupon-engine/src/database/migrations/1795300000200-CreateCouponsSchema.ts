import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCouponsSchema1795300000200 implements MigrationInterface {
  name = 'CreateCouponsSchema1795300000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS coupons`);
    await queryRunner.query(`
      CREATE TABLE coupons.offers (
        id uuid PRIMARY KEY,
        code text NOT NULL UNIQUE,
        shopper_id uuid NOT NULL,
        rule_id uuid NOT NULL,
        reward jsonb NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('issued', 'redeemed', 'expired', 'revoked')),
        reason jsonb NOT NULL,
        trigger_event_id text NOT NULL,
        issued_at timestamptz NOT NULL,
        redeemed_at timestamptz,
        -- A redelivered profile event issues nothing twice.
        UNIQUE (rule_id, shopper_id, trigger_event_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX offers_shopper_id_state_idx ON coupons.offers (shopper_id, state)`,
    );
    await queryRunner.query(`
      CREATE TABLE coupons.outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA coupons CASCADE`);
  }
}
