import { MigrationInterface, QueryRunner } from 'typeorm';

// A household's transactions are found by its cards: when a card moves to another household its
// history moves with it (and both households' sums are rebuilt), and an erasure anonymises them.
export class IndexTransactionsByCard1795800000020 implements MigrationInterface {
  name = 'IndexTransactionsByCard1795800000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX transactions_card_number_idx ON ingest.transactions (card_number)
        WHERE card_number IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ingest.transactions_card_number_idx`);
  }
}
