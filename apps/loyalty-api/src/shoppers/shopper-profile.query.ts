import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** What pos-ingest derived from a household's transactions; no identity, no card numbers. */
export interface ProfileFacts {
  tier: string;
  tierSince: string | null;
  lifetimeSpendCents: number;
  visits: number;
  firstVisitAt: string | null;
  lastVisitAt: string | null;
  spend4wCents: number;
  visits4w: number;
  spend13wCents: number;
  visits13w: number;
  spend52wCents: number;
  visits52w: number;
  cadenceDays: number | null;
  nextVisitDueOn: string | null;
  daysSinceLastVisit: number | null;
  rfm: { r: number | null; f: number | null; m: number | null };
  lifecycle: string | null;
  lifecycleSince: string | null;
  topDepartments: unknown[];
  topCategories: unknown[];
  topBrands: unknown[];
  favouriteStores: unknown[];
  factsAsOf: string | null;
}

interface ProfileRow {
  tier: string;
  tier_since: string | null;
  lifetime_spend_cents: string;
  visits: number;
  first_visit_at: Date | null;
  last_visit_at: Date | null;
  spend_4w_cents: string;
  visits_4w: number;
  spend_13w_cents: string;
  visits_13w: number;
  spend_52w_cents: string;
  visits_52w: number;
  cadence_days: string | null;
  next_visit_due_on: string | null;
  days_since_last_visit: number | null;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  lifecycle: string | null;
  lifecycle_since: string | null;
  top_departments: unknown[];
  top_categories: unknown[];
  top_brands: unknown[];
  favourite_stores: unknown[];
  facts_as_of: string | null;
}

/**
 * loyalty-api's one read of pos-ingest's profiles (`ingest.shopper_profiles`, keyed by household
 * id): the tier and facts shown to the shopper, support and marketing. Off the lane's path.
 */
@Injectable()
export class ShopperProfileQuery {
  async facts(manager: EntityManager, householdId: string): Promise<ProfileFacts | null> {
    const [row]: ProfileRow[] = await manager.query(
      `SELECT tier, to_char(tier_since, 'YYYY-MM-DD') AS tier_since, lifetime_spend_cents, visits,
              first_visit_at, last_visit_at, spend_4w_cents, visits_4w, spend_13w_cents,
              visits_13w, spend_52w_cents, visits_52w, cadence_days,
              to_char(next_visit_due_on, 'YYYY-MM-DD') AS next_visit_due_on, days_since_last_visit,
              r_score, f_score, m_score, lifecycle,
              to_char(lifecycle_since, 'YYYY-MM-DD') AS lifecycle_since, top_departments,
              top_categories, top_brands, favourite_stores,
              to_char(facts_as_of, 'YYYY-MM-DD') AS facts_as_of
         FROM ingest.shopper_profiles WHERE shopper_id = $1`,
      [householdId],
    );
    if (!row) return null;
    return {
      tier: row.tier,
      tierSince: row.tier_since,
      lifetimeSpendCents: Number(row.lifetime_spend_cents),
      visits: row.visits,
      firstVisitAt: row.first_visit_at?.toISOString() ?? null,
      lastVisitAt: row.last_visit_at?.toISOString() ?? null,
      spend4wCents: Number(row.spend_4w_cents),
      visits4w: row.visits_4w,
      spend13wCents: Number(row.spend_13w_cents),
      visits13w: row.visits_13w,
      spend52wCents: Number(row.spend_52w_cents),
      visits52w: row.visits_52w,
      cadenceDays: row.cadence_days === null ? null : Number(row.cadence_days),
      nextVisitDueOn: row.next_visit_due_on,
      daysSinceLastVisit: row.days_since_last_visit,
      rfm: { r: row.r_score, f: row.f_score, m: row.m_score },
      lifecycle: row.lifecycle,
      lifecycleSince: row.lifecycle_since,
      topDepartments: row.top_departments,
      topCategories: row.top_categories,
      topBrands: row.top_brands,
      favouriteStores: row.favourite_stores,
      factsAsOf: row.facts_as_of,
    };
  }
}
