import { Injectable } from '@nestjs/common';
import {
  AudienceReads,
  AgeBand,
  AudienceFacts,
  IncomeBand,
  LifecycleSegment,
  ProductFactsRow,
  Tier,
} from '@loyalty/domain';
import { EntityManager } from 'typeorm';

interface FactsRow {
  household_id: string;
  facts_as_of: string | null;
  spend_4w_cents: string;
  visits_4w: number;
  spend_13w_cents: string;
  visits_13w: number;
  spend_52w_cents: string;
  visits_52w: number;
  average_basket_52w_cents: string | null;
  cadence_days: string | null;
  next_visit_due_on: string | null;
  days_since_last_visit: number | null;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  lifecycle: LifecycleSegment | null;
  lifecycle_since: string | null;
  tier: Tier;
  tier_since: string | null;
  birthday: string | null;
  birthday_in_days: number | null;
  enrolled_on: string | null;
  home_store_id: string | null;
  home_region: string | null;
  age_band: AgeBand | null;
  household_size: number | null;
  income_band: IncomeBand | null;
  consent_personalised_offers: boolean;
}

const nullableNumber = (value: string | null) => (value === null ? null : Number(value));

/**
 * What the audiences of some rules read about some households: the engine's copy of their facts
 * (`coupons.household_facts`, with the region of their home store from `store_regions`), and,
 * where the rules ask, their products and static lists, read in place: pos-ingest's product sums
 * (`ingest.shopper_products`) and loyalty-api's list members (`loyalty.audience_list_members`),
 * named reads listed in docs/ARCHITECTURE.md; and what goes with the categories of crossSell
 * conditions, from the engine's item insight. A household the engine has no copy of is left out.
 */
@Injectable()
export class AudienceFactsQuery {
  async load(
    m: EntityManager,
    householdIds: readonly string[],
    reads: AudienceReads,
    asOf: string,
  ): Promise<Map<string, AudienceFacts>> {
    const rows: FactsRow[] = await m.query(
      `SELECT f.*, f.facts_as_of::text, f.next_visit_due_on::text, f.lifecycle_since::text,
              f.tier_since::text, f.enrolled_on::text, s.region AS home_region
         FROM coupons.household_facts f
         LEFT JOIN coupons.store_regions s ON s.store_id = f.home_store_id
        WHERE f.household_id = ANY($1::uuid[])`,
      [householdIds],
    );
    const products = new Map<string, ProductFactsRow[]>();
    if (reads.products && rows.length > 0) {
      const productRows: (ProductFactsRow & { householdId: string })[] = await m.query(
        `SELECT shopper_id AS "householdId", sku, department, category, brand,
                spend_cents::float8 AS "spendCents", units::float8 AS units, purchases,
                repeat_interval_days::float8 AS "repeatIntervalDays",
                last_bought_on::text AS "lastBoughtOn"
           FROM ingest.shopper_products WHERE shopper_id = ANY($1::uuid[])`,
        [rows.map((row) => row.household_id)],
      );
      for (const { householdId, ...product } of productRows)
        products.set(householdId, [...(products.get(householdId) ?? []), product]);
    }
    const lists = new Map<string, Set<string>>();
    if (reads.listIds.length > 0 && rows.length > 0) {
      const members: { household_id: string; list_id: string }[] = await m.query(
        `SELECT household_id, list_id FROM loyalty.audience_list_members
          WHERE list_id = ANY($1::uuid[]) AND household_id = ANY($2::uuid[])`,
        [reads.listIds, rows.map((row) => row.household_id)],
      );
      for (const { household_id, list_id } of members)
        lists.set(household_id, (lists.get(household_id) ?? new Set()).add(list_id));
    }
    const boughtWith = new Map<string, { category: string; lift: number }[]>();
    if (reads.crossSell.length > 0 && rows.length > 0) {
      const associations: { consequent: string; category: string; lift: number }[] = await m.query(
        `SELECT consequent, antecedent AS category, lift FROM coupons.item_associations
            WHERE level = 'category' AND consequent = ANY($1::text[])`,
        [reads.crossSell],
      );
      for (const { consequent, ...association } of associations)
        boughtWith.set(consequent, [...(boughtWith.get(consequent) ?? []), association]);
    }
    return new Map(
      rows.map((row) => [
        row.household_id,
        {
          // Without facts (never seen at a till) the day counters are null whatever the day.
          factsAsOf: row.facts_as_of ?? asOf,
          spend4wCents: Number(row.spend_4w_cents),
          visits4w: row.visits_4w,
          spend13wCents: Number(row.spend_13w_cents),
          visits13w: row.visits_13w,
          spend52wCents: Number(row.spend_52w_cents),
          visits52w: row.visits_52w,
          averageBasket52wCents: nullableNumber(row.average_basket_52w_cents),
          cadenceDays: nullableNumber(row.cadence_days),
          nextVisitDueOn: row.next_visit_due_on,
          rScore: row.r_score,
          fScore: row.f_score,
          mScore: row.m_score,
          lifecycle: row.lifecycle,
          lifecycleSince: row.lifecycle_since,
          tier: row.tier,
          tierSince: row.tier_since,
          daysSinceLastVisit: row.days_since_last_visit,
          birthdayInDays: row.birthday_in_days,
          homeStoreId: row.home_store_id,
          region: row.home_region,
          birthday: row.birthday,
          enrolledOn: row.enrolled_on,
          demographics: {
            ageBand: row.age_band,
            householdSize: row.household_size,
            incomeBand: row.income_band,
          },
          consent: { personalisedOffers: row.consent_personalised_offers },
          listIds: lists.get(row.household_id) ?? new Set(),
          products: products.get(row.household_id) ?? [],
          boughtWith,
        },
      ]),
    );
  }
}
