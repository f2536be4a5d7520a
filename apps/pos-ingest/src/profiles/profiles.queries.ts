import { Injectable } from '@nestjs/common';
import { RECENT_VISIT_DAYS, ShopperProfile } from '@loyalty/domain';
import { EntityManager } from 'typeorm';
import { HOUSEHOLD_TRANSACTIONS } from './profile-sums.queries';

interface ProfileRow {
  shopper_id: string;
  lifetime_spend_cents: string;
  visits: number;
  first_visit_at: Date | null;
  last_visit_at: Date | null;
  spend_by_department_cents: Record<string, number>;
  points_balance: string;
  recent_visit_days: string[];
}

/** A profile as v1 events carry it, and the recent visit days kept beside it. */
export interface StoredProfile {
  profile: ShopperProfile;
  recentVisitDays: string[];
}

function profileOf(row: ProfileRow): ShopperProfile {
  return {
    shopperId: row.shopper_id,
    lifetimeSpendCents: Number(row.lifetime_spend_cents),
    visits: row.visits,
    firstVisitAt: row.first_visit_at?.toISOString() ?? null,
    lastVisitAt: row.last_visit_at?.toISOString() ?? null,
    spendByDepartmentCents: row.spend_by_department_cents,
    pointsBalance: Number(row.points_balance),
  };
}

const PROFILE_COLUMNS = `shopper_id, lifetime_spend_cents, visits, first_visit_at, last_visit_at,
  spend_by_department_cents, points_balance, to_json(recent_visit_days) AS recent_visit_days`;

/** `ingest.shopper_profiles`: locked, recounted and saved once per batch. */
@Injectable()
export class ProfilesQueries {
  /** The profiles of these shoppers, created empty where missing, locked until commit. */
  async lockProfiles(
    m: EntityManager,
    shopperIds: readonly string[],
  ): Promise<Map<string, StoredProfile>> {
    await m.query(
      `INSERT INTO ingest.shopper_profiles (shopper_id, lifetime_spend_cents, visits, spend_by_department_cents, points_balance)
       SELECT unnest($1::uuid[]), 0, 0, '{}', 0
       ON CONFLICT (shopper_id) DO NOTHING`,
      [shopperIds],
    );
    const rows: ProfileRow[] = await m.query(
      `SELECT ${PROFILE_COLUMNS} FROM ingest.shopper_profiles
        WHERE shopper_id = ANY($1::uuid[]) ORDER BY shopper_id FOR UPDATE`,
      [shopperIds],
    );
    return new Map(
      rows.map((row) => [
        row.shopper_id,
        { profile: profileOf(row), recentVisitDays: row.recent_visit_days },
      ]),
    );
  }

  /** The profiles of these shoppers as stored (none for a shopper without one). */
  async findProfiles(m: EntityManager, shopperIds: readonly string[]): Promise<ShopperProfile[]> {
    const rows: ProfileRow[] = await m.query(
      `SELECT ${PROFILE_COLUMNS} FROM ingest.shopper_profiles
        WHERE shopper_id = ANY($1::uuid[]) ORDER BY shopper_id`,
      [shopperIds],
    );
    return rows.map(profileOf);
  }

  /**
   * First and last visit and the latest visit days recounted from the sales that stand (after a
   * void took one away).
   */
  async recountVisits(
    m: EntityManager,
    shopperIds: readonly string[],
  ): Promise<
    Map<
      string,
      { firstVisitAt: string | null; lastVisitAt: string | null; recentVisitDays: string[] }
    >
  > {
    if (shopperIds.length === 0) return new Map();
    const rows: { shopper_id: string; first: Date | null; last: Date | null; days: string[] }[] =
      await m.query(
        `SELECT s.id AS shopper_id,
              (SELECT min(occurred_at) FROM ingest.transactions WHERE shopper_id = s.id AND type = 'sale' AND NOT voided) AS first,
              (SELECT max(occurred_at) FROM ingest.transactions WHERE shopper_id = s.id AND type = 'sale' AND NOT voided) AS last,
              (SELECT coalesce(json_agg(to_char(d, 'YYYY-MM-DD') ORDER BY d DESC), '[]')
                 FROM (SELECT DISTINCT business_date AS d FROM ingest.transactions
                        WHERE shopper_id = s.id AND type = 'sale' AND NOT voided
                        ORDER BY d DESC LIMIT $2) days) AS days
         FROM unnest($1::uuid[]) AS s(id)`,
        [shopperIds, RECENT_VISIT_DAYS],
      );
    return new Map(
      rows.map((r) => [
        r.shopper_id,
        {
          firstVisitAt: r.first?.toISOString() ?? null,
          lastVisitAt: r.last?.toISOString() ?? null,
          recentVisitDays: r.days,
        },
      ]),
    );
  }

  /**
   * Rebuilds these households' profiles from their transactions (after cards moved between them):
   * the same sums the projector adds up, points at `pointsPerCurrencyUnit` as sales earn them.
   */
  async rebuildProfiles(
    m: EntityManager,
    shopperIds: readonly string[],
    pointsPerCurrencyUnit: number,
    now: Date,
  ): Promise<void> {
    // float8 like JavaScript's numbers, so points round down exactly as pointsFor does.
    await m.query(
      `WITH tx AS (${HOUSEHOLD_TRANSACTIONS}),
       totals AS (
         SELECT s.id AS shopper_id,
                coalesce(sum(tx.direction * tx.total_cents), 0) AS spend,
                count(tx.id) FILTER (WHERE tx.type = 'sale') AS visits,
                coalesce(sum(tx.direction * floor(tx.total_cents::float8 * $2::float8 / 100)), 0) AS points
           FROM unnest($1::uuid[]) AS s(id) LEFT JOIN tx ON tx.shopper_id = s.id
          GROUP BY s.id
       ), departments AS (
         SELECT shopper_id, jsonb_object_agg(department, spend) AS spend
           FROM (SELECT tx.shopper_id, l.department, sum(tx.direction * l."amountCents") AS spend
                   FROM tx, json_to_recordset(tx.lines) AS l(department text, "amountCents" bigint)
                  GROUP BY 1, 2) d
          WHERE spend <> 0
          GROUP BY shopper_id
       ), visits AS (
         SELECT shopper_id, min(t.occurred_at) AS first, max(t.occurred_at) AS last
           FROM ingest.transactions t
          WHERE t.shopper_id = ANY($1::uuid[]) AND t.type = 'sale' AND NOT t.voided
          GROUP BY shopper_id
       ), days AS (
         SELECT shopper_id, (array_agg(business_date ORDER BY business_date DESC))[1:$3] AS days
           FROM (SELECT DISTINCT shopper_id, business_date FROM ingest.transactions
                  WHERE shopper_id = ANY($1::uuid[]) AND type = 'sale' AND NOT voided) d
          GROUP BY shopper_id
       )
       INSERT INTO ingest.shopper_profiles AS p (shopper_id, lifetime_spend_cents, visits, first_visit_at,
         last_visit_at, spend_by_department_cents, points_balance, recent_visit_days, updated_at)
       SELECT t.shopper_id, t.spend, t.visits, v.first, v.last, coalesce(d.spend, '{}'), t.points,
              coalesce(days.days, '{}'), $4
         FROM totals t
         LEFT JOIN departments d USING (shopper_id)
         LEFT JOIN visits v USING (shopper_id)
         LEFT JOIN days USING (shopper_id)
       ON CONFLICT (shopper_id) DO UPDATE
         SET lifetime_spend_cents = EXCLUDED.lifetime_spend_cents, visits = EXCLUDED.visits,
             first_visit_at = EXCLUDED.first_visit_at, last_visit_at = EXCLUDED.last_visit_at,
             spend_by_department_cents = EXCLUDED.spend_by_department_cents,
             points_balance = EXCLUDED.points_balance, recent_visit_days = EXCLUDED.recent_visit_days,
             updated_at = EXCLUDED.updated_at, windows_stale = true`,
      [shopperIds, pointsPerCurrencyUnit, RECENT_VISIT_DAYS, now],
    );
  }

  async saveProfiles(
    m: EntityManager,
    profiles: readonly StoredProfile[],
    now: Date,
  ): Promise<void> {
    // One JSON document, as for the transactions: an array of department maps would be escaped
    // by node-postgres and unescaped by PostgreSQL before being parsed.
    await m.query(
      `UPDATE ingest.shopper_profiles p
          SET lifetime_spend_cents = u."lifetimeSpendCents", visits = u.visits,
              first_visit_at = u."firstVisitAt", last_visit_at = u."lastVisitAt",
              spend_by_department_cents = u."spendByDepartmentCents", points_balance = u."pointsBalance",
              recent_visit_days = u."recentVisitDays", updated_at = $2, windows_stale = true
         FROM jsonb_to_recordset($1::jsonb) AS u("shopperId" uuid, "lifetimeSpendCents" bigint, visits int,
           "firstVisitAt" timestamptz, "lastVisitAt" timestamptz, "spendByDepartmentCents" jsonb, "pointsBalance" bigint,
           "recentVisitDays" date[])
        WHERE p.shopper_id = u."shopperId"`,
      [
        JSON.stringify(profiles.map((p) => ({ ...p.profile, recentVisitDays: p.recentVisitDays }))),
        now,
      ],
    );
  }
}
