import { Injectable } from '@nestjs/common';
import { ShopperProfile } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

interface ProfileRow {
  shopper_id: string;
  lifetime_spend_cents: string;
  visits: number;
  first_visit_at: Date | null;
  last_visit_at: Date | null;
  spend_by_department_cents: Record<string, number>;
  points_balance: string;
}

/** `ingest.shopper_profiles`: locked, recounted and saved once per batch. */
@Injectable()
export class ProfilesQueries {
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
}
