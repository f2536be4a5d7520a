import { Injectable } from '@nestjs/common';
import {
  PosTransaction,
  ShopperProfile,
  StoreDayEffect,
  StoredTransaction,
  transactionKey,
} from '@loyalty/domain';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';

// The projector's hand-written SQL, one statement per step of a batch whatever its size
// (arrays in, `unnest` in SQL): the hot path of ingest.

export interface NewTransaction {
  tx: PosTransaction;
  shopperId: string | null;
  receivedAt: string;
}

export interface LedgerEntry {
  shopperId: string;
  kind: 'earn' | 'reverse';
  points: number;
  /** The transaction that caused it, `store:posTransactionId`. */
  sourceId: string;
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

interface ProfileRow {
  shopper_id: string;
  lifetime_spend_cents: string;
  visits: number;
  first_visit_at: Date | null;
  last_visit_at: Date | null;
  spend_by_department_cents: Record<string, number>;
  points_balance: string;
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
export class ProjectionQueries {
  /** The shoppers of these cards; a valid card never seen before gets a new unregistered shopper. */
  async resolveShoppers(
    m: EntityManager,
    cardNumbers: readonly string[],
  ): Promise<Map<string, string>> {
    if (cardNumbers.length === 0) return new Map();
    const find = async () =>
      new Map(
        (
          (await m.query(
            `SELECT card_number, shopper_id FROM ingest.cards WHERE card_number = ANY($1::text[])`,
            [cardNumbers],
          )) as { card_number: string; shopper_id: string }[]
        ).map((r) => [r.card_number, r.shopper_id]),
      );
    const known = await find();
    const unknown = cardNumbers.filter((card) => !known.has(card));
    if (unknown.length === 0) return known;
    const ids = unknown.map(() => randomUUID());
    await m.query(`INSERT INTO ingest.shoppers (id) SELECT unnest($1::uuid[])`, [ids]);
    await m.query(
      `INSERT INTO ingest.cards (card_number, shopper_id) SELECT * FROM unnest($1::text[], $2::uuid[])
       ON CONFLICT (card_number) DO NOTHING`,
      [unknown, ids],
    );
    // Another projector may have created a card first (during a rebalance): read what won.
    return find();
  }

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

  /** The profiles of these shoppers, created empty where missing, locked until commit. */
  async lockProfiles(
    m: EntityManager,
    shopperIds: readonly string[],
  ): Promise<Map<string, ShopperProfile>> {
    await m.query(
      `INSERT INTO ingest.shopper_profiles (shopper_id, lifetime_spend_cents, visits, spend_by_department_cents, points_balance)
       SELECT unnest($1::uuid[]), 0, 0, '{}', 0
       ON CONFLICT (shopper_id) DO NOTHING`,
      [shopperIds],
    );
    const rows: ProfileRow[] = await m.query(
      `SELECT * FROM ingest.shopper_profiles WHERE shopper_id = ANY($1::uuid[]) ORDER BY shopper_id FOR UPDATE`,
      [shopperIds],
    );
    return new Map(
      rows.map((row) => [
        row.shopper_id,
        {
          shopperId: row.shopper_id,
          lifetimeSpendCents: Number(row.lifetime_spend_cents),
          visits: row.visits,
          firstVisitAt: row.first_visit_at?.toISOString() ?? null,
          lastVisitAt: row.last_visit_at?.toISOString() ?? null,
          spendByDepartmentCents: row.spend_by_department_cents,
          pointsBalance: Number(row.points_balance),
        },
      ]),
    );
  }

  /** First and last visit recounted from the sales that stand (after a void took one away). */
  async recountVisits(
    m: EntityManager,
    shopperIds: readonly string[],
  ): Promise<Map<string, { firstVisitAt: string | null; lastVisitAt: string | null }>> {
    if (shopperIds.length === 0) return new Map();
    const rows: { shopper_id: string; first: Date | null; last: Date | null }[] = await m.query(
      `SELECT s.id AS shopper_id,
              (SELECT min(occurred_at) FROM ingest.transactions WHERE shopper_id = s.id AND type = 'sale' AND NOT voided) AS first,
              (SELECT max(occurred_at) FROM ingest.transactions WHERE shopper_id = s.id AND type = 'sale' AND NOT voided) AS last
         FROM unnest($1::uuid[]) AS s(id)`,
      [shopperIds],
    );
    return new Map(
      rows.map((r) => [
        r.shopper_id,
        {
          firstVisitAt: r.first?.toISOString() ?? null,
          lastVisitAt: r.last?.toISOString() ?? null,
        },
      ]),
    );
  }

  async saveProfiles(
    m: EntityManager,
    profiles: readonly ShopperProfile[],
    now: Date,
  ): Promise<void> {
    // One JSON document, as for the transactions: an array of department maps would be escaped
    // by node-postgres and unescaped by PostgreSQL before being parsed.
    await m.query(
      `UPDATE ingest.shopper_profiles p
          SET lifetime_spend_cents = u."lifetimeSpendCents", visits = u.visits,
              first_visit_at = u."firstVisitAt", last_visit_at = u."lastVisitAt",
              spend_by_department_cents = u."spendByDepartmentCents", points_balance = u."pointsBalance",
              updated_at = $2
         FROM jsonb_to_recordset($1::jsonb) AS u("shopperId" uuid, "lifetimeSpendCents" bigint, visits int,
           "firstVisitAt" timestamptz, "lastVisitAt" timestamptz, "spendByDepartmentCents" jsonb, "pointsBalance" bigint)
        WHERE p.shopper_id = u."shopperId"`,
      [JSON.stringify(profiles), now],
    );
  }

  async insertLedgerEntries(m: EntityManager, entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await m.query(
      `INSERT INTO ingest.points_ledger (shopper_id, kind, points, source_type, source_id)
       SELECT shopper_id, kind, points, 'transaction', source_id
         FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[]) AS e(shopper_id, kind, points, source_id)`,
      [
        entries.map((e) => e.shopperId),
        entries.map((e) => e.kind),
        entries.map((e) => e.points),
        entries.map((e) => e.sourceId),
      ],
    );
  }

  async addStoreDays(m: EntityManager, days: readonly StoreDayEffect[]): Promise<void> {
    if (days.length === 0) return;
    await m.query(
      `INSERT INTO ingest.store_sales_entries (store_id, business_date, sales, returns, anonymous_sales, sales_cents, returns_cents)
       SELECT * FROM unnest($1::text[], $2::date[], $3::int[], $4::int[], $5::int[], $6::bigint[], $7::bigint[])`,
      [
        days.map((d) => d.storeId),
        days.map((d) => d.businessDate),
        days.map((d) => d.sales),
        days.map((d) => d.returns),
        days.map((d) => d.anonymousSales),
        days.map((d) => d.salesCents),
        days.map((d) => d.returnsCents),
      ],
    );
  }
}
