import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateLoyaltySchema1795300000100 implements MigrationInterface {
  name = 'CreateLoyaltySchema1795300000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS loyalty`);
    await queryRunner.query(`
      CREATE TABLE loyalty.terminal_api_keys (
        key_id text PRIMARY KEY,
        store_id text NOT NULL,
        terminal_id text NOT NULL,
        secret_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.coupon_rules (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'paused')),
        audience jsonb NOT NULL,
        reward jsonb NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL CHECK (valid_until > valid_from),
        offer_valid_days integer NOT NULL CHECK (offer_valid_days > 0),
        per_shopper_limit integer NOT NULL CHECK (per_shopper_limit > 0),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.redemptions (
        id uuid PRIMARY KEY,
        offer_id uuid NOT NULL UNIQUE,
        offer_code text NOT NULL,
        shopper_id uuid NOT NULL,
        store_id text NOT NULL,
        terminal_id text NOT NULL,
        pos_transaction_id text NOT NULL,
        discount_cents integer NOT NULL CHECK (discount_cents > 0),
        redeemed_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.audit_log (
        id bigserial PRIMARY KEY,
        actor text NOT NULL,
        action text NOT NULL,
        entity text NOT NULL,
        entity_id text NOT NULL,
        details jsonb NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA loyalty CASCADE`);
  }
}
