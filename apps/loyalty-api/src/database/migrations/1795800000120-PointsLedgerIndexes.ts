import { MigrationInterface, QueryRunner } from 'typeorm';

// What the points ledger's reads need beyond its key: an agent's goodwill of the day, a
// household's entries newest first (the keyset pages), and credits by the time they were earned
// (points due to expire).
export class PointsLedgerIndexes1795800000120 implements MigrationInterface {
  name = 'PointsLedgerIndexes1795800000120';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX points_ledger_agent_idx ON loyalty.points_ledger (agent, occurred_at)
        WHERE agent IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX points_ledger_household_id_idx ON loyalty.points_ledger (household_id, id)`,
    );
    await queryRunner.query(
      `CREATE INDEX points_ledger_credits_idx ON loyalty.points_ledger (occurred_at)
        INCLUDE (household_id, points) WHERE points > 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX loyalty.points_ledger_credits_idx`);
    await queryRunner.query(`DROP INDEX loyalty.points_ledger_household_id_idx`);
    await queryRunner.query(`DROP INDEX loyalty.points_ledger_agent_idx`);
  }
}
