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

interface ReceiptRow {
  store_id: string;
  pos_transaction_id: string;
  inserted: boolean;
  earlier_sha256: string | null;
}

/** Named query over `ingest.intake_receipts`: records each transaction's body hash once, in one statement. */
@Injectable()
export class IntakeReceiptsQuery {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    txs: readonly { tx: PosTransaction; hash: string }[],
  ): Promise<Map<string, ReceiptCheck>> {
    if (txs.length === 0) return new Map();
    const hashOf = new Map(txs.map(({ tx, hash }) => [transactionKey(tx), hash]));
    // The outer SELECT sees the table as it was before this statement: a key found there was
    // accepted earlier, one found only in `inserted` is new. The earlier body is looked up key by
    // key: as a join, the planner hashed the whole table for every upload.
    const rows: ReceiptRow[] = await this.dataSource.query(
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
                  AS earlier_sha256
           FROM input i
           LEFT JOIN inserted ins USING (store_id, pos_transaction_id)`,
      [txs.map((t) => t.tx.storeId), txs.map((t) => t.tx.posTransactionId), txs.map((t) => t.hash)],
    );
    // A receipt neither inserted nor seen was committed by a concurrent request (the same retry
    // racing itself) after this statement's snapshot: the insert waited for it, the SELECT cannot
    // see it. A second statement, with a new snapshot, reads it.
    const racing = rows.filter((r) => !r.inserted && r.earlier_sha256 === null);
    const raced = racing.length > 0 ? await this.earlierHashes(racing) : new Map<string, string>();
    return new Map(
      rows.map((r) => {
        const key = transactionKey({ storeId: r.store_id, posTransactionId: r.pos_transaction_id });
        const earlier = r.earlier_sha256 ?? raced.get(key);
        return [key, r.inserted ? 'new' : earlier === hashOf.get(key) ? 'same' : 'different'];
      }),
    );
  }

  private async earlierHashes(keys: readonly ReceiptRow[]): Promise<Map<string, string>> {
    const rows: { store_id: string; pos_transaction_id: string; body_sha256: string }[] =
      await this.dataSource.query(
        `SELECT r.store_id, r.pos_transaction_id, r.body_sha256
           FROM unnest($1::text[], $2::text[]) AS k(store_id, pos_transaction_id)
           JOIN ingest.intake_receipts r USING (store_id, pos_transaction_id)`,
        [keys.map((k) => k.store_id), keys.map((k) => k.pos_transaction_id)],
      );
    return new Map(
      rows.map((r) => [
        transactionKey({ storeId: r.store_id, posTransactionId: r.pos_transaction_id }),
        r.body_sha256,
      ]),
    );
  }
}
