import { Injectable } from '@nestjs/common';
import { PosTransaction, transactionKey } from '@loyalty/domain';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

/** How a transaction compares with what the intake accepted before under the same store and id. */
export type ReceiptCheck = 'new' | 'same' | 'different';

/** The hash the receipts keep of a transaction's canonical JSON (canonical-json.ts). */
export function bodyHash(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

/** Named query over `ingest.intake_receipts`: records each transaction's body hash once, in one statement. */
@Injectable()
export class IntakeReceiptsQuery {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    txs: readonly { tx: PosTransaction; hash: string }[],
  ): Promise<Map<string, ReceiptCheck>> {
    if (txs.length === 0) return new Map();
    // The outer SELECT sees the table as it was before this statement: a key found there was
    // accepted earlier, one found only in `inserted` is new. The earlier body is looked up key by
    // key: as a join, the planner hashed the whole table for every upload.
    const rows: {
      store_id: string;
      pos_transaction_id: string;
      inserted: boolean;
      same: boolean | null;
    }[] = await this.dataSource.query(
      `WITH input AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS i(store_id, pos_transaction_id, body_sha256)
         ), inserted AS (
           INSERT INTO ingest.intake_receipts (store_id, pos_transaction_id, body_sha256)
           SELECT * FROM input ON CONFLICT DO NOTHING
           RETURNING store_id, pos_transaction_id
         )
         SELECT i.store_id, i.pos_transaction_id, ins.store_id IS NOT NULL AS inserted,
                (SELECT r.body_sha256 FROM ingest.intake_receipts r
                  WHERE r.store_id = i.store_id AND r.pos_transaction_id = i.pos_transaction_id)
                  = i.body_sha256 AS same
           FROM input i
           LEFT JOIN inserted ins USING (store_id, pos_transaction_id)`,
      [txs.map((t) => t.tx.storeId), txs.map((t) => t.tx.posTransactionId), txs.map((t) => t.hash)],
    );
    return new Map(
      rows.map((r) => [
        transactionKey({ storeId: r.store_id, posTransactionId: r.pos_transaction_id }),
        r.inserted ? 'new' : r.same ? 'same' : 'different',
      ]),
    );
  }
}
