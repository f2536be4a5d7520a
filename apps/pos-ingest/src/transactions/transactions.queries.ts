import { Injectable } from '@nestjs/common';
import { PosTransaction, StoredTransaction, transactionKey } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

// `ingest.transactions` for the projector: one statement per step of a batch whatever its size
// (arrays or one JSON document in, `unnest`/`json_to_recordset` in SQL), the hot path of ingest.

export interface NewTransaction {
  tx: PosTransaction;
  shopperId: string | null;
  receivedAt: string;
}

interface TransactionRow {
  pos_transaction_id: string;
  store_id: string;
  terminal_id: string;
  cashier_id: string;
  business_date: string;
  type: PosTransaction['type'];
  original_pos_transaction_id: string | null;
  card_number: string | null;
  shopper_id: string | null;
  occurred_at_text: string;
  total_cents: string;
  lines: PosTransaction['lines'];
  tenders: PosTransaction['tenders'];
  applied_offers: PosTransaction['appliedOffers'];
  voided: boolean;
}

function utcOffsetOf(isoDateTime: string): string {
  const offset = /(Z|[+-]\d{2}:\d{2})$/.exec(isoDateTime)?.[1] ?? 'Z';
  return offset === 'Z' ? '+00:00' : offset;
}

function keysParams(keys: readonly string[]): [string[], string[]] {
  const split = keys.map((key) => {
    const at = key.indexOf(':');
    return [key.slice(0, at), key.slice(at + 1)];
  });
  return [split.map((k) => k[0]), split.map((k) => k[1])];
}

@Injectable()
export class TransactionsQueries {
  /** Inserts the transactions not stored yet; returns the keys of those it inserted. */
  async insertTransactions(
    m: EntityManager,
    rows: readonly NewTransaction[],
  ): Promise<Set<string>> {
    // One JSON document rather than an array per column: node-postgres escapes every element of
    // an array parameter, and the JSON of the lines again inside it, which cost the projector
    // more CPU than the rest of the statement.
    const records = JSON.stringify(
      rows.map(({ tx, shopperId, receivedAt }) => ({
        pos_transaction_id: tx.posTransactionId,
        store_id: tx.storeId,
        terminal_id: tx.terminalId,
        cashier_id: tx.cashierId,
        business_date: tx.businessDate,
        type: tx.type,
        original_pos_transaction_id: tx.originalPosTransactionId ?? null,
        card_number: tx.cardNumber ?? null,
        shopper_id: shopperId,
        occurred_at: tx.occurredAt,
        utc_offset: utcOffsetOf(tx.occurredAt),
        total_cents: tx.totalCents,
        lines: tx.lines,
        tenders: tx.tenders,
        applied_offers: tx.appliedOffers ?? [],
        received_at: receivedAt,
      })),
    );
    const inserted: { store_id: string; pos_transaction_id: string }[] = await m.query(
      `INSERT INTO ingest.transactions (pos_transaction_id, store_id, terminal_id, cashier_id, business_date, type,
         original_pos_transaction_id, card_number, shopper_id, occurred_at, utc_offset, total_cents, lines, tenders,
         applied_offers, received_at)
       SELECT * FROM json_to_recordset($1::json) AS r(pos_transaction_id text, store_id text, terminal_id text,
         cashier_id text, business_date date, type text, original_pos_transaction_id text, card_number text,
         shopper_id uuid, occurred_at timestamptz, utc_offset text, total_cents bigint, lines json, tenders json,
         applied_offers json, received_at timestamptz)
       ON CONFLICT (store_id, pos_transaction_id) DO NOTHING
       RETURNING store_id, pos_transaction_id`,
      [records],
    );
    return new Set(
      inserted.map((r) =>
        transactionKey({ storeId: r.store_id, posTransactionId: r.pos_transaction_id }),
      ),
    );
  }

  /** The stored transactions with these keys, locked against concurrent voids. */
  async findStored(
    m: EntityManager,
    keys: readonly string[],
  ): Promise<Map<string, StoredTransaction & { shopperId: string | null }>> {
    if (keys.length === 0) return new Map();
    const rows: TransactionRow[] = await m.query(
      `SELECT t.pos_transaction_id, t.store_id, t.terminal_id, t.cashier_id, to_char(t.business_date, 'YYYY-MM-DD') AS business_date,
              t.type, t.original_pos_transaction_id, t.card_number, t.shopper_id, t.total_cents, t.lines, t.tenders,
              t.applied_offers, t.voided,
              to_char(t.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at_text
         FROM ingest.transactions t
         JOIN unnest($1::text[], $2::text[]) AS k(store_id, pos_transaction_id) USING (store_id, pos_transaction_id)
          FOR UPDATE OF t`,
      keysParams(keys),
    );
    return new Map(
      rows.map((row) => [
        transactionKey({ storeId: row.store_id, posTransactionId: row.pos_transaction_id }),
        {
          voided: row.voided,
          shopperId: row.shopper_id,
          tx: {
            posTransactionId: row.pos_transaction_id,
            storeId: row.store_id,
            terminalId: row.terminal_id,
            cashierId: row.cashier_id,
            businessDate: row.business_date,
            type: row.type,
            ...(row.original_pos_transaction_id
              ? { originalPosTransactionId: row.original_pos_transaction_id }
              : {}),
            ...(row.card_number ? { cardNumber: row.card_number } : {}),
            occurredAt: row.occurred_at_text,
            lines: row.lines,
            tenders: row.tenders,
            appliedOffers: row.applied_offers,
            totalCents: Number(row.total_cents),
          },
        },
      ]),
    );
  }

  /** Of these keys, those that a stored void (other than `excluding`) refers to. */
  async findVoided(
    m: EntityManager,
    keys: readonly string[],
    excluding: ReadonlySet<string>,
  ): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows: { store_id: string; pos_transaction_id: string; original: string }[] =
      await m.query(
        `SELECT v.store_id, v.pos_transaction_id, v.original_pos_transaction_id AS original
         FROM ingest.transactions v
         JOIN unnest($1::text[], $2::text[]) AS k(store_id, original_pos_transaction_id)
           USING (store_id, original_pos_transaction_id)
        WHERE v.type = 'void'`,
        keysParams(keys),
      );
    return new Set(
      rows
        .filter(
          (r) =>
            !excluding.has(
              transactionKey({ storeId: r.store_id, posTransactionId: r.pos_transaction_id }),
            ),
        )
        .map((r) => transactionKey({ storeId: r.store_id, posTransactionId: r.original })),
    );
  }

  async markVoided(m: EntityManager, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await m.query(
      `UPDATE ingest.transactions t SET voided = true
         FROM unnest($1::text[], $2::text[]) AS k(store_id, pos_transaction_id)
        WHERE t.store_id = k.store_id AND t.pos_transaction_id = k.pos_transaction_id`,
      keysParams(keys),
    );
  }
}
