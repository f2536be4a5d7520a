import { Injectable } from '@nestjs/common';
import {
  HouseholdChangedV1,
  LifecycleChangedV1,
  ProfileChangedV2,
  dependsOnConsent,
  isConsentWithdrawn,
} from '@loyalty/domain';
import { OutboxRelay } from '@loyalty/kafka';
import { DataSource } from 'typeorm';
import { OfferWithdrawalQueries } from '../withdrawals/offer-withdrawals.queries';

/** Days of a household's lifecycle transitions kept before its newest one. */
const TRANSITIONS_KEPT_DAYS = 35;

/**
 * The engine's copy of what audiences read about households (`coupons.household_facts`): the
 * facts from pos-ingest's `profile-changed.v2` (the latest day's win; a household's events
 * arrive in order), the enrolment, birthday, home store, demographics and consent from loyalty-api's
 * `household-changed.v1` (the highest version wins). A household merged into another leaves.
 */
@Injectable()
export class HouseholdFactsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly withdrawals: OfferWithdrawalQueries,
    private readonly relay: OutboxRelay,
  ) {}

  async applyFacts(events: readonly ProfileChangedV2[]): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO coupons.household_facts AS h (household_id, facts_as_of, spend_4w_cents,
         visits_4w, spend_13w_cents, visits_13w, spend_52w_cents, visits_52w,
         average_basket_52w_cents, cadence_days, next_visit_due_on, days_since_last_visit, r_score,
         f_score, m_score, lifecycle, lifecycle_since, tier, tier_since, birthday_in_days)
       SELECT DISTINCT ON (e."householdId") e."householdId", e."factsAsOf", f."spend4wCents",
              f."visits4w", f."spend13wCents", f."visits13w", f."spend52wCents", f."visits52w",
              f."averageBasket52wCents", f."cadenceDays", f."nextVisitDueOn", f."daysSinceLastVisit",
              f."rScore", f."fScore", f."mScore", f.lifecycle, f."lifecycleSince", f.tier,
              f."tierSince", f."birthdayInDays"
         FROM jsonb_to_recordset($1::jsonb) AS e("householdId" uuid, "factsAsOf" date, facts jsonb, n int)
        CROSS JOIN jsonb_to_record(e.facts) AS f("spend4wCents" bigint, "visits4w" int,
                "spend13wCents" bigint, "visits13w" int, "spend52wCents" bigint, "visits52w" int,
                "averageBasket52wCents" bigint, "cadenceDays" numeric, "nextVisitDueOn" date,
                "daysSinceLastVisit" int, "rScore" smallint, "fScore" smallint, "mScore" smallint,
                lifecycle text, "lifecycleSince" date, tier text, "tierSince" date,
                "birthdayInDays" int)
        ORDER BY e."householdId", e.n DESC
       ON CONFLICT (household_id) DO UPDATE
         SET facts_as_of = EXCLUDED.facts_as_of, spend_4w_cents = EXCLUDED.spend_4w_cents,
             visits_4w = EXCLUDED.visits_4w, spend_13w_cents = EXCLUDED.spend_13w_cents,
             visits_13w = EXCLUDED.visits_13w, spend_52w_cents = EXCLUDED.spend_52w_cents,
             visits_52w = EXCLUDED.visits_52w,
             average_basket_52w_cents = EXCLUDED.average_basket_52w_cents,
             cadence_days = EXCLUDED.cadence_days, next_visit_due_on = EXCLUDED.next_visit_due_on,
             days_since_last_visit = EXCLUDED.days_since_last_visit, r_score = EXCLUDED.r_score,
             f_score = EXCLUDED.f_score, m_score = EXCLUDED.m_score,
             lifecycle = EXCLUDED.lifecycle, lifecycle_since = EXCLUDED.lifecycle_since,
             tier = EXCLUDED.tier, tier_since = EXCLUDED.tier_since,
             birthday_in_days = EXCLUDED.birthday_in_days, updated_at = now()
       WHERE h.facts_as_of IS NULL OR h.facts_as_of <= EXCLUDED.facts_as_of`,
      // The last of a household's changes in the batch wins: they arrive in order.
      [JSON.stringify(events.map((event, n) => ({ ...event, n })))],
    );
  }

  /**
   * Records lifecycle transitions once each (a redelivery changes nothing) and forgets a
   * household's transitions older than `TRANSITIONS_KEPT_DAYS` before its newest: a campaign
   * judges the transitions of its own day only.
   */
  async applyTransitions(events: readonly LifecycleChangedV1[]): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.query(
      `WITH changes AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS e("householdId" uuid, "from" text, "to" text, "on" date)
       ), recorded AS (
         INSERT INTO coupons.lifecycle_transitions (household_id, changed_on, to_segment, from_segment)
         SELECT DISTINCT ON ("householdId", "on", "to") "householdId", "on", "to", "from" FROM changes
         ON CONFLICT DO NOTHING
       )
       DELETE FROM coupons.lifecycle_transitions t
        USING (SELECT "householdId", max("on") AS newest FROM changes GROUP BY 1) c
        WHERE t.household_id = c."householdId" AND t.changed_on < c.newest - $2::integer`,
      [JSON.stringify(events), TRANSITIONS_KEPT_DAYS],
    );
  }

  /**
   * A household whose consent to personalised offers goes from true to false has its
   * personalised offers still valid at `now` revoked, with their events, in the same transaction
   * (an offer made to everyone it keeps).
   */
  async applyHouseholds(events: readonly HouseholdChangedV1[], now: Date): Promise<void> {
    if (events.length === 0) return;
    const revoked = await this.dataSource.transaction(async (m) => {
      const changed: { household_id: string; before: boolean | null; after: boolean | null }[] =
        await m.query(
          `WITH changes AS (
             SELECT DISTINCT ON ("householdId") *
               FROM jsonb_to_recordset($1::jsonb)
                 AS e("householdId" uuid, version int, "mergedInto" uuid, "enrolledOn" date,
                      birthday text, "homeStoreId" text, demographics jsonb, consent jsonb)
              ORDER BY "householdId", version DESC
           ), prior AS (
             SELECT h.household_id, h.consent_personalised_offers
               FROM coupons.household_facts h JOIN changes c ON c."householdId" = h.household_id
           ), merged AS (
             DELETE FROM coupons.household_facts h USING changes c
              WHERE h.household_id = c."householdId" AND c."mergedInto" IS NOT NULL
           ), upserted AS (
             INSERT INTO coupons.household_facts AS h (household_id, enrolled_on, birthday,
               home_store_id, age_band, household_size, income_band, consent_personalised_offers,
               household_version)
             SELECT "householdId", "enrolledOn", birthday, "homeStoreId",
                    demographics ->> 'ageBand', (demographics ->> 'householdSize')::smallint,
                    demographics ->> 'incomeBand', (consent ->> 'personalisedOffers')::boolean,
                    version
               FROM changes WHERE "mergedInto" IS NULL
             ON CONFLICT (household_id) DO UPDATE
               SET enrolled_on = EXCLUDED.enrolled_on, birthday = EXCLUDED.birthday,
                   home_store_id = EXCLUDED.home_store_id, age_band = EXCLUDED.age_band,
                   household_size = EXCLUDED.household_size,
                   income_band = EXCLUDED.income_band,
                   consent_personalised_offers = EXCLUDED.consent_personalised_offers,
                   household_version = EXCLUDED.household_version, updated_at = now()
             WHERE h.household_version < EXCLUDED.household_version
             RETURNING h.household_id, h.consent_personalised_offers
           )
           SELECT u.household_id, b.consent_personalised_offers AS before,
                  u.consent_personalised_offers AS after
             FROM upserted u LEFT JOIN prior b USING (household_id)`,
          [JSON.stringify(events)],
        );
      const withdrawn = changed
        .filter((c) => isConsentWithdrawn(c.before, c.after))
        .map((c) => c.household_id);
      const offers = await this.withdrawals.validOffersOf(m, withdrawn, now);
      return this.withdrawals.revoke(
        m,
        offers.filter((o) => dependsOnConsent(o.audience)).map((o) => o.id),
        'consent-withdrawn',
        now,
      );
    });
    if (revoked > 0) this.relay.wake();
  }
}
