import { TransactionLine } from '@loyalty/domain';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface ShopperTransaction {
  id: string;
  storeId: string;
  posTransactionId: string;
  businessDate: string;
  occurredAt: string;
  type: string;
  originalPosTransactionId: string | null;
  totalCents: number;
  voided: boolean;
  lines: TransactionLine[];
}

/** Where a page ends: the last transaction's time and id (ties broken by id). */
export interface TransactionCursor {
  occurredAt: string;
  id: string;
}

interface TransactionRow {
  id: string;
  store_id: string;
  pos_transaction_id: string;
  business_date: string;
  occurred_at: Date;
  type: string;
  original_pos_transaction_id: string | null;
  total_cents: string;
  voided: boolean;
  lines: TransactionLine[];
}

/**
 * loyalty-api's read of pos-ingest's transactions (`ingest.transactions`) of a household, newest
 * first, with their lines. Anonymised transactions have no shopper and are never found.
 */
@Injectable()
export class ShopperTransactionsQuery {
  /** One page of the transactions booked on any of `shopperIds`, after `cursor`. */
  async page(
    manager: EntityManager,
    shopperIds: readonly string[],
    limit: number,
    cursor: TransactionCursor | null,
  ): Promise<ShopperTransaction[]> {
    const rows: TransactionRow[] = await manager.query(
      `SELECT id, store_id, pos_transaction_id, to_char(business_date, 'YYYY-MM-DD') AS business_date,
              occurred_at, type, original_pos_transaction_id, total_cents, voided, lines
         FROM ingest.transactions
        WHERE shopper_id = ANY($1::uuid[])
          AND ($2::timestamptz IS NULL OR (occurred_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY occurred_at DESC, id DESC
        LIMIT $4`,
      [shopperIds, cursor?.occurredAt ?? null, cursor?.id ?? null, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      storeId: row.store_id,
      posTransactionId: row.pos_transaction_id,
      businessDate: row.business_date,
      occurredAt: row.occurred_at.toISOString(),
      type: row.type,
      originalPosTransactionId: row.original_pos_transaction_id,
      totalCents: Number(row.total_cents),
      voided: row.voided,
      lines: row.lines,
    }));
  }
}
