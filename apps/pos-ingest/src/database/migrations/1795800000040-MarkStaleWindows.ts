import { MigrationInterface, QueryRunner } from 'typeorm';

// Whether a profile's weekly sums changed since its rolling windows were read from them: set by
// every writer of the sums (the projector, a card move's rebuild) in the transaction that writes
// them, cleared by the facts refresh. Within a week, the nightly pass reads the weekly sums only
// of the profiles marked; the others keep their windows. Every profile starts marked.
export class MarkStaleWindows1795800000040 implements MigrationInterface {
  name = 'MarkStaleWindows1795800000040';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE ingest.shopper_profiles ADD COLUMN windows_stale boolean NOT NULL DEFAULT true`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ingest.shopper_profiles DROP COLUMN windows_stale`);
  }
}
