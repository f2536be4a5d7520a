import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * The reports' sums, recomputed from pos-ingest's tables through these named reads (off the
 * lane's path): `ingest.transactions` (sales and returns by hour, and by the demographic bands
 * of loyalty-api's households), `ingest.shopper_profiles`
 * (lifecycle and RFM) and `ingest.lifecycle_transitions` (moves). Each replaces what it covers,
 * in the caller's transaction.
 */
@Injectable()
export class ReportSumsQueries {
  /** The first business day any transaction has, or null. */
  async firstBusinessDate(m: EntityManager): Promise<string | null> {
    const [row]: { first: string | null }[] = await m.query(
      `SELECT to_char(min(business_date), 'YYYY-MM-DD') AS first FROM ingest.transactions`,
    );
    return row.first;
  }

  async hasSalesHours(m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM loyalty.report_sales_hours LIMIT 1`);
    return rows.length > 0;
  }

  /**
   * Sales and returns of the business days `from` to `to` per store, hour (on the POS clock) and
   * card: counted once, a voided one not at all; amounts are the transactions' totals.
   */
  async refreshSalesHours(m: EntityManager, from: string, to: string): Promise<void> {
    await m.query(`DELETE FROM loyalty.report_sales_hours WHERE business_date BETWEEN $1 AND $2`, [
      from,
      to,
    ]);
    await m.query(
      `INSERT INTO loyalty.report_sales_hours
         (business_date, store_id, hour, carded, sales, sales_cents, returns, returns_cents)
       SELECT business_date, store_id,
              extract(hour FROM (occurred_at AT TIME ZONE 'UTC') + utc_offset::interval)::smallint,
              shopper_id IS NOT NULL,
              count(*) FILTER (WHERE type = 'sale'),
              coalesce(sum(total_cents) FILTER (WHERE type = 'sale'), 0),
              count(*) FILTER (WHERE type = 'return'),
              coalesce(sum(total_cents) FILTER (WHERE type = 'return'), 0)
         FROM ingest.transactions
        WHERE business_date BETWEEN $1 AND $2 AND type IN ('sale', 'return') AND NOT voided
        GROUP BY 1, 2, 3, 4`,
      [from, to],
    );
  }

  /**
   * Card sales and returns of the business days `from` to `to` per demographic bands of their
   * households as declared now ('unknown', household size 0: not declared).
   */
  async refreshBandDays(m: EntityManager, from: string, to: string): Promise<void> {
    await m.query(`DELETE FROM loyalty.report_band_days WHERE business_date BETWEEN $1 AND $2`, [
      from,
      to,
    ]);
    await m.query(
      `INSERT INTO loyalty.report_band_days (business_date, age_band, household_size, income_band,
         sales, sales_cents, returns, returns_cents)
       SELECT t.business_date, coalesce(h.age_band, 'unknown'), coalesce(h.household_size, 0),
              coalesce(h.income_band, 'unknown'),
              count(*) FILTER (WHERE t.type = 'sale'),
              coalesce(sum(t.total_cents) FILTER (WHERE t.type = 'sale'), 0),
              count(*) FILTER (WHERE t.type = 'return'),
              coalesce(sum(t.total_cents) FILTER (WHERE t.type = 'return'), 0)
         FROM ingest.transactions t
         LEFT JOIN loyalty.households h ON h.id = t.shopper_id
        WHERE t.business_date BETWEEN $1 AND $2 AND t.type IN ('sale', 'return') AND NOT t.voided
          AND t.shopper_id IS NOT NULL
        GROUP BY 1, 2, 3, 4`,
      [from, to],
    );
  }

  /** Today's households per lifecycle segment and RFM scores; snapshots older than `keepDays` go. */
  async snapshotSegments(m: EntityManager, asOf: string, keepDays: number): Promise<void> {
    for (const table of ['loyalty.report_segment_days', 'loyalty.report_segment_snapshots'])
      await m.query(`DELETE FROM ${table} WHERE as_of = $1 OR as_of < $1::date - $2::int`, [
        asOf,
        keepDays,
      ]);
    await m.query(
      `INSERT INTO loyalty.report_segment_days (as_of, lifecycle, r, f, m, households)
       SELECT $1, coalesce(lifecycle, 'none'), coalesce(r_score, 0), coalesce(f_score, 0),
              coalesce(m_score, 0), count(*)
         FROM ingest.shopper_profiles
        GROUP BY 2, 3, 4, 5`,
      [asOf],
    );
    await m.query(
      `INSERT INTO loyalty.report_segment_snapshots (as_of, households)
       SELECT $1, coalesce(sum(households), 0) FROM loyalty.report_segment_days WHERE as_of = $1`,
      [asOf],
    );
  }

  /** The lifecycle moves of the days `from` to `to`. */
  async refreshLifecycleMoves(m: EntityManager, from: string, to: string): Promise<void> {
    await m.query(`DELETE FROM loyalty.report_lifecycle_moves WHERE on_date BETWEEN $1 AND $2`, [
      from,
      to,
    ]);
    await m.query(
      `INSERT INTO loyalty.report_lifecycle_moves (on_date, from_segment, to_segment, households)
       SELECT on_date, coalesce(from_segment, 'none'), to_segment, count(*)
         FROM ingest.lifecycle_transitions
        WHERE on_date BETWEEN $1 AND $2
        GROUP BY 1, 2, 3`,
      [from, to],
    );
  }
}
