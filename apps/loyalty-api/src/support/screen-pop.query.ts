import { Association, Consent, NO_CONSENT, describeReward } from '@loyalty/domain';
import { queryPrepared } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SupportPointsStatementDto } from '../points/points.dto';
import { HouseholdRow, MEMBER_COLUMNS, MemberRow } from '../shoppers/household-record.query';
import { ShownCard } from '../shoppers/household-views';
import { ShopperTransaction } from '../shoppers/shopper-transactions.query';
import { ContactDto, ProfileSummaryDto, ScreenPopOfferDto } from './screen-pop.dto';

/** How many of each the screen pop shows. */
export const SCREEN_POP_LIMITS = {
  ledgerEntries: 5,
  transactions: 5,
  liveOffers: 20,
  reissuableOffers: 10,
  contacts: 20,
};

/** A timestamp as `Date.toISOString` writes it. */
const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** What a lookup is by: a normalised phone or email, a card number, a household id. */
export type ScreenPopKey =
  { phone: string } | { email: string } | { card: string } | { householdId: string };

/** A household the lookup found, and what its history's ids are made of. */
export interface FoundHousehold {
  id: string;
  /** It and every household merged into it. */
  mergedIds: string[];
  /** The cards of all of them (their transactions before they joined are under derived ids). */
  cardNumbers: string[];
  profiling: boolean;
}

/** Everything the screen pop shows of one household, as one statement read it. */
export interface ScreenPopRead {
  household: HouseholdRow;
  members: MemberRow[];
  cards: ShownCard[];
  consent: Consent;
  points: SupportPointsStatementDto;
  lastTransactions: ShopperTransaction[];
  profile:
    | (ProfileSummaryDto & { tier: string; tierSince: string | null; lifetimeSpendCents: number })
    | null;
  liveOffers: ScreenPopOfferDto[];
  reissuableOffers: ScreenPopOfferDto[];
  contacts: ContactDto[];
  /** With profiling only (null without): the categories bought (`rollUpHistories` in SQL). */
  histories: { item: string; purchases: number; first: string; last: string }[] | null;
  /** With profiling only: the categories of the last sale. */
  lastCategories: string[] | null;
  /** With profiling only: the associations of the last sale's and the last day's categories. */
  associations: Association[] | null;
}

/** The read's one row: each part as JSON, shaped as the answer shows it. */
interface ScreenPopRow {
  household: Omit<HouseholdRow, 'enrolledAt' | 'erasedAt'> & {
    enrolledAt: string | null;
    erasedAt: string | null;
  };
  members: MemberRow[];
  cards: ShownCard[];
  consent: Partial<Consent>;
  balance: string | null;
  ledger: SupportPointsStatementDto['entries'];
  lastTransactions: ShopperTransaction[];
  profile: ScreenPopRead['profile'];
  liveOffers: OfferJson[];
  reissuableOffers: OfferJson[];
  contacts: ContactDto[];
  histories: ScreenPopRead['histories'];
  lastCategories: string[] | null;
  associations: Association[] | null;
}

type OfferJson = Omit<ScreenPopOfferDto, 'description'> & {
  reward: Parameters<typeof describeReward>[0];
};

/**
 * The call centre's screen pop as two prepared statements: `find` resolves a lookup to the open
 * households it names (following merges), `read` reads everything about one of them in one
 * snapshot and writes the audit entry of the read in the same statement. Named reads of
 * pos-ingest's transactions, profiles and product sums and coupon-engine's item insight, off the
 * lane's path.
 */
@Injectable()
export class ScreenPopQuery {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The open households (neither erased nor merged) the key names, each followed through merges
   * to the household it went into; at most 20.
   */
  async find(by: ScreenPopKey): Promise<FoundHousehold[]> {
    const [key, value] = Object.entries(by)[0];
    const found = {
      phone: `SELECT household_id AS id FROM loyalty.shoppers WHERE phone = $1`,
      email: `SELECT household_id AS id FROM loyalty.shoppers WHERE email = $1`,
      card: `SELECT household_id AS id FROM loyalty.cards WHERE card_number = $1`,
      householdId: `SELECT $1::uuid AS id`,
    }[key as 'phone'];
    return queryPrepared<FoundHousehold>(
      this.dataSource,
      `screen-pop-find-${key}`,
      `WITH RECURSIVE found AS (${found}),
       chain(id, hops) AS (
         SELECT id, 0 FROM found
         UNION
         SELECT h.merged_into, c.hops + 1 FROM chain c JOIN loyalty.households h ON h.id = c.id
          WHERE h.merged_into IS NOT NULL AND c.hops < 10),
       open AS (
         SELECT DISTINCT h.id FROM chain c JOIN loyalty.households h ON h.id = c.id
          WHERE h.merged_into IS NULL AND h.erased_at IS NULL
          ORDER BY h.id LIMIT 20),
       merged AS (
         SELECT o.id AS household_id, o.id FROM open o
         UNION
         SELECT mg.household_id, hm.source_household_id FROM merged mg
           JOIN loyalty.household_merges hm ON hm.target_household_id = mg.id)
       SELECT o.id,
              (SELECT array_agg(mg.id) FROM merged mg WHERE mg.household_id = o.id) AS "mergedIds",
              (SELECT coalesce(array_agg(c.card_number), '{}') FROM loyalty.cards c
                WHERE c.household_id IN (SELECT mg.id FROM merged mg WHERE mg.household_id = o.id))
                AS "cardNumbers",
              coalesce((SELECT granted FROM loyalty.consents
                         WHERE household_id = o.id AND purpose = 'profiling'), false) AS profiling
         FROM open o ORDER BY o.id`,
      [value],
    );
  }

  /**
   * Everything about `householdId` (its history under `historyIds`) and, with `profiling`, its
   * category histories and associations; the read's audit entry is written by the same statement.
   */
  async read(
    householdId: string,
    historyIds: readonly string[],
    options: {
      profiling: boolean;
      now: Date;
      reissueSince: Date;
      audit: { actor: string; details: object };
    },
  ): Promise<ScreenPopRead> {
    const L = SCREEN_POP_LIMITS;
    const insight = options.profiling
      ? `(SELECT coalesce(json_agg(h), '[]') FROM histories h) AS histories,
         (SELECT coalesce(json_agg(a ORDER BY a.antecedent, a.lift DESC, a.confidence DESC, a.consequent), '[]')
            FROM (SELECT antecedent, consequent, together, support, confidence, lift
                    FROM coupons.item_associations
                   WHERE level = 'category' AND antecedent IN (
                     SELECT category FROM last_categories
                     UNION SELECT item FROM histories
                      WHERE last = (SELECT max(last) FROM histories))) a) AS associations,
         (SELECT coalesce(json_agg(category ORDER BY category), '[]') FROM last_categories)
           AS "lastCategories"`
      : `NULL AS histories, NULL AS associations, NULL AS "lastCategories"`;
    const offer = `json_build_object('code', o.code, 'reward', o.reward, 'state', o.state,
                     'ruleId', o.rule_id, 'validUntil', ${iso('o.valid_until')}, 'reason', o.reason)`;
    const [row] = await queryPrepared<ScreenPopRow>(
      this.dataSource,
      `screen-pop-read${options.profiling ? '-profiling' : ''}`,
      `WITH audit AS (
         INSERT INTO loyalty.audit_log (actor, action, entity, entity_id, details)
         VALUES ($5, 'household.identity-read', 'household', $1::text, $6::jsonb)),
       last_sale AS (
         SELECT lines FROM ingest.transactions
          WHERE shopper_id = ANY($2::uuid[]) AND type = 'sale' AND NOT voided
          ORDER BY occurred_at DESC, id DESC LIMIT 1),
       last_categories AS (
         SELECT DISTINCT coalesce(l ->> 'category', 'department:' || (l ->> 'department')) AS category
           FROM last_sale, json_array_elements(lines) l),
       histories AS (
         SELECT coalesce(category, 'department:' || department) AS item,
                sum(purchases)::float8 AS purchases,
                to_char(min(first_bought_on), 'YYYY-MM-DD') AS first,
                to_char(max(last_bought_on), 'YYYY-MM-DD') AS last
           FROM ingest.shopper_products
          WHERE shopper_id = ANY($2::uuid[]) AND purchases > 0 AND last_bought_on IS NOT NULL
          GROUP BY 1)
       SELECT
         (SELECT json_build_object('id', id, 'registered', registered,
                   'enrolledAt', ${iso('enrolled_at')}, 'mergedInto', merged_into,
                   'erasedAt', ${iso('erased_at')}, 'version', version,
                   'demographics', json_build_object('ageBand', age_band,
                     'householdSize', household_size, 'incomeBand', income_band))
            FROM loyalty.households WHERE id = $1::uuid) AS household,
         (SELECT coalesce(json_agg(s ORDER BY s."accountHolder" DESC, s.created_at, s.id), '[]')
            FROM (SELECT ${MEMBER_COLUMNS}, created_at FROM loyalty.shoppers
                   WHERE household_id = $1::uuid) s) AS members,
         (SELECT coalesce(json_agg(json_build_object('cardNumber', card_number, 'kind', kind,
                   'status', status, 'holderId', holder_id, 'replacedBy', replaced_by)
                   ORDER BY created_at, card_number), '[]')
            FROM loyalty.cards WHERE household_id = $1::uuid) AS cards,
         (SELECT coalesce(json_object_agg(purpose, granted), '{}')
            FROM loyalty.consents WHERE household_id = $1::uuid) AS consent,
         (SELECT balance FROM loyalty.points_accounts WHERE household_id = $1::uuid) AS balance,
         (SELECT coalesce(json_agg(json_build_object('id', id::text, 'kind', kind,
                   'points', points, 'occurredAt', ${iso('occurred_at')},
                   'recordedAt', ${iso('recorded_at')}, 'sourceType', source_type,
                   'sourceId', source_id, 'agent', agent, 'reason', note) ORDER BY id DESC), '[]')
            FROM (SELECT * FROM loyalty.points_ledger WHERE household_id = $1::uuid
                   ORDER BY id DESC LIMIT ${L.ledgerEntries + 1}) e) AS ledger,
         (SELECT coalesce(json_agg(json_build_object('id', id, 'storeId', store_id,
                   'posTransactionId', pos_transaction_id,
                   'businessDate', to_char(business_date, 'YYYY-MM-DD'),
                   'occurredAt', ${iso('occurred_at')}, 'type', type,
                   'originalPosTransactionId', original_pos_transaction_id,
                   'totalCents', total_cents, 'voided', voided, 'lines', lines)
                   ORDER BY occurred_at DESC, id DESC), '[]')
            FROM (SELECT * FROM ingest.transactions WHERE shopper_id = ANY($2::uuid[])
                   ORDER BY occurred_at DESC, id DESC LIMIT ${L.transactions}) t)
           AS "lastTransactions",
         (SELECT json_build_object('tier', tier, 'tierSince', to_char(tier_since, 'YYYY-MM-DD'),
                   'lifetimeSpendCents', lifetime_spend_cents, 'lifecycle', lifecycle,
                   'visits52w', visits_52w, 'spend52wCents', spend_52w_cents,
                   'cadenceDays', cadence_days, 'lastVisitAt', ${iso('last_visit_at')},
                   'favouriteDepartments', top_departments, 'favouriteStores', favourite_stores)
            FROM ingest.shopper_profiles WHERE shopper_id = $1::uuid) AS profile,
         (SELECT coalesce(json_agg(${offer} ORDER BY o.valid_until, o.code), '[]')
            FROM (SELECT * FROM loyalty.offers
                   WHERE shopper_id = ANY($2::uuid[]) AND state IN ('issued', 'clipped', 'reserved')
                     AND valid_until > $3
                   ORDER BY valid_until, code LIMIT ${L.liveOffers}) o) AS "liveOffers",
         -- What reissueOffer accepts: expired (by state or validity) within the window, not reissued.
         (SELECT coalesce(json_agg(${offer} ORDER BY o.valid_until DESC, o.code), '[]')
            FROM (SELECT * FROM loyalty.offers x
                   WHERE shopper_id = ANY($2::uuid[]) AND state IN ('issued', 'clipped', 'expired')
                     AND valid_until <= $3
                     AND least(valid_until, coalesce(state_changed_at, valid_until)) >= $4
                     AND NOT EXISTS (SELECT 1 FROM loyalty.offer_reissues r WHERE r.offer_id = x.id)
                   ORDER BY valid_until DESC, code LIMIT ${L.reissuableOffers}) o)
           AS "reissuableOffers",
         (SELECT coalesce(json_agg(json_build_object('contactId', id, 'channel', channel,
                   'reason', reason, 'outcome', outcome, 'note', note, 'agent', agent,
                   'contactedAt', ${iso('contacted_at')}) ORDER BY contacted_at DESC, id), '[]')
            FROM (SELECT * FROM loyalty.support_contacts WHERE household_id = $1::uuid
                   ORDER BY contacted_at DESC, id LIMIT ${L.contacts}) c) AS contacts,
         ${insight}`,
      [
        householdId,
        historyIds,
        options.now,
        options.reissueSince,
        options.audit.actor,
        JSON.stringify(options.audit.details),
      ],
    );
    const { household, ledger } = row;
    const entries = ledger.slice(0, L.ledgerEntries);
    const offers = (list: OfferJson[], state?: string): ScreenPopOfferDto[] =>
      list.map(({ reward, ...offer }) => ({
        ...offer,
        description: describeReward(reward),
        state: state ?? offer.state,
      }));
    return {
      household: {
        ...household,
        enrolledAt: household.enrolledAt === null ? null : new Date(household.enrolledAt),
        erasedAt: household.erasedAt === null ? null : new Date(household.erasedAt),
      },
      members: row.members,
      cards: row.cards,
      consent: { ...NO_CONSENT, ...row.consent },
      points: {
        householdId,
        balance: Number(row.balance ?? 0),
        entries,
        nextCursor: ledger.length > L.ledgerEntries ? entries[entries.length - 1].id : null,
      },
      lastTransactions: row.lastTransactions,
      profile: row.profile,
      liveOffers: offers(row.liveOffers),
      reissuableOffers: offers(row.reissuableOffers, 'expired'),
      contacts: row.contacts,
      histories: row.histories,
      lastCategories: row.lastCategories,
      associations: row.associations,
    };
  }
}
