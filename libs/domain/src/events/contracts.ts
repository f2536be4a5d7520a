import { Cents } from '../money';
import { CardStatus, Consent, Demographics } from '../household';
import { ShopperProfile } from '../profile';
import { LifecycleSegment, Tier } from '../profile-facts';
import { PosTransaction } from '../transaction';
import { Ranking } from '../rules/decide-issuance';
import { OfferWithdrawalCause, OfferWithdrawalKind } from '../rules/offer-withdrawal';
import { ReasonTree } from '../rules/evaluate-audience';
import { Reward, Rule, StackingMode } from '../rules/rule-model';

/** `pos.transaction-recorded.v1`, keyed by card number: the POS transaction as accepted. */
export type TransactionRecordedV1 = PosTransaction & { receivedAt: string };

/** `pos-ingest.profile-changed.v1`, keyed by shopper id: the profile after a change. */
export interface ProfileChangedV1 {
  /** Unique per change; consumers use it to make their effects idempotent. */
  eventId: string;
  changedAt: string;
  profile: ShopperProfile;
}

/**
 * `coupon-engine.offer-issued.v2`, keyed by household id: an offer of a versioned rule (model of
 * `rules/rule-model.ts`), with the terms the checkout applies it by and why it was issued.
 */
export interface OfferIssuedV2 {
  offerId: string;
  code: string;
  householdId: string;
  ruleId: string;
  ruleVersion: number;
  reward: Reward;
  validFrom: string;
  validUntil: string;
  issuedAt: string;
  terms: {
    usesPerOffer: number;
    /** Redeemable only in these stores; null: everywhere. */
    stores: string[] | null;
    priority: number;
    stacking: StackingMode;
    stackingGroup: string | null;
    /** The rule's money budget, enforced at redemption; null: none. */
    budgetCents: number | null;
    /** Usable at the checkout only once clipped; absent in offers issued before it existed. */
    clipRequired?: boolean;
  };
  reason: ReasonTree;
  /** Its rank by expected saving, when the household's weekly limit chose among several offers. */
  ranking?: Ranking;
}

/**
 * `coupon-engine.offer-withdrawn.v1`, keyed by household id: an offer the engine withdrew, once
 * per offer: `expired` when its validity ended, `revoked` when its rule ended or the household
 * withdrew its consent to personalised offers. It may reach a consumer before the offer's
 * `offer-issued.v2` (two topics, no order between them).
 */
export interface OfferWithdrawnV1 {
  offerId: string;
  householdId: string;
  ruleId: string;
  /** Null for an offer of a retired v1 rule. */
  ruleVersion: number | null;
  kind: OfferWithdrawalKind;
  cause: OfferWithdrawalCause;
  /** When its validity ended (expired), or when the engine revoked it. */
  withdrawnAt: string;
}

/** `loyalty-api.offer-redeemed.v1`, keyed by shopper id. */
export interface OfferRedeemedV1 {
  offerId: string;
  code: string;
  shopperId: string;
  storeId: string;
  terminalId: string;
  posTransactionId: string;
  discountCents: Cents;
  redeemedAt: string;
}

export const RULE_STATUSES_V2 = ['draft', 'active', 'paused', 'ended'] as const;
export type RuleStatusV2 = (typeof RULE_STATUSES_V2)[number];

/**
 * `loyalty-api.rule-changed.v2`, keyed by rule id: a coupon rule (model of `rules/rule-model.ts`)
 * after any change. `version` numbers the rule's definitions: an edit makes a new one and issued
 * offers keep the version they came from. `revision` grows by one with every change (a new version
 * or a status change); a copy keeps the highest revision it has seen, so an older event
 * (redelivered, replayed) never overwrites a newer copy. Only an active rule issues offers.
 */
export interface RuleChangedV2 {
  ruleId: string;
  version: number;
  revision: number;
  status: RuleStatusV2;
  rule: Rule;
  changedAt: string;
}

/**
 * `loyalty-api.terminal-key-changed.v1`, keyed by key id: a POS terminal's key as loyalty-api
 * created or revoked it, so the apps that authenticate lanes keep a copy. Only a SHA-256 of the
 * key's 256-bit random secret travels. Revocation is final: a copy stays revoked whatever the
 * order in which it meets the two events.
 */
export interface TerminalKeyChangedV1 {
  keyId: string;
  storeId: string;
  terminalId: string;
  secretHash: string;
  revokedAt: string | null;
}

/**
 * `loyalty-api.household-changed.v1`, keyed by household id: the whole household as loyalty-api
 * holds it after a change (enrolment, a card added, lost, blocked or replaced, consent, a merge).
 * `version` grows by one with every change; a copy keeps the highest version it has seen. Only
 * what other apps need travels: no name, email, phone or postcode.
 */
export interface HouseholdChangedV1 {
  householdId: string;
  version: number;
  changedAt: string;
  /** Every card of the household; a card no longer listed has moved to another household. */
  cards: { cardNumber: string; status: CardStatus }[];
  /** Set once support merged this household into another one, which now lists its cards. */
  mergedInto: string | null;
  registered: boolean;
  /** The day the household enrolled (YYYY-MM-DD), for anniversaries; null while unregistered. */
  enrolledOn: string | null;
  /** The account holder's birthday as month and day (`MM-DD`), never the year. */
  birthday: string | null;
  homeStoreId: string | null;
  /** What the account holder declared; absent from events written before it travelled. */
  demographics?: Demographics;
  consent: Consent;
}

/**
 * `loyalty-api.store-changed.v1`, keyed by store id: a store of the store register after an admin
 * registered it or changed it, so audiences can target the region of a household's home store.
 * `version` grows by one with every change; a copy keeps the highest version it has seen.
 */
export interface StoreChangedV1 {
  storeId: string;
  version: number;
  region: string;
  changedAt: string;
}

/**
 * `loyalty-api.shopper-erased.v1`, keyed by household id: the household's identity was erased.
 * Every app removes or anonymises what it holds about the household and its cards, and must not
 * bring it back when it meets the household's cards again (replays, late transactions).
 */
export interface ShopperErasedV1 {
  householdId: string;
  erasedAt: string;
}

/**
 * `pos-ingest.points-earned.v1`, keyed by household id: the points one transaction earns (a sale)
 * or takes back (a return, or a void of a sale), published through the projector's outbox in the
 * same database transaction that stores the transaction. loyalty-api books it once per cause.
 */
export interface PointsEarnedV1 {
  /** The transaction that caused it, `store:posTransactionId`. */
  cause: string;
  /** The household pos-ingest booked the transaction on (loyalty-api decides from the card). */
  householdId: string;
  cardNumber: string;
  kind: 'earn' | 'reverse';
  /** Positive for earn, negative for reverse. */
  points: number;
  /** The transaction's time (ISO 8601 with offset): points expire counted from it. */
  occurredAt: string;
}

/** A household's facts that depend on the day, as of `factsAsOf` (a date in the programme's zone). */
export interface ProfileFacts {
  /** Rolling windows; the week holding `factsAsOf` is week 1. */
  spend4wCents: Cents;
  visits4w: number;
  spend13wCents: Cents;
  visits13w: number;
  spend52wCents: Cents;
  visits52w: number;
  averageBasket52wCents: Cents | null;
  /** Median days between the latest visit days, to one decimal; null below two visit days. */
  cadenceDays: number | null;
  nextVisitDueOn: string | null;
  /** RFM quintile scores 1–5 (5 best) over the programme's population; null without a visit. */
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  lifecycle: LifecycleSegment | null;
  lifecycleSince: string | null;
  tier: Tier;
  tierSince: string | null;
  /**
   * Counters of days as of `factsAsOf`. They move every day by the calendar alone, which by itself
   * publishes nothing: add the days since `factsAsOf` (and wrap the birthday yearly).
   */
  daysSinceLastVisit: number | null;
  birthdayInDays: number | null;
}

/**
 * `pos-ingest.profile-changed.v2`, keyed by household id: the household's time-dependent facts
 * after one of them moved (a purchase, the nightly pass, a week rolling over, the population's
 * quintiles shifting). Erased households are never published.
 */
export interface ProfileChangedV2 {
  /** Unique per change; consumers use it to make their effects idempotent. */
  eventId: string;
  householdId: string;
  factsAsOf: string;
  facts: ProfileFacts;
}

/** `pos-ingest.lifecycle-changed.v1`, keyed by household id: the segment changed on `on`. */
export interface LifecycleChangedV1 {
  eventId: string;
  householdId: string;
  /** Null for the household's first segment. */
  from: LifecycleSegment | null;
  to: LifecycleSegment;
  on: string;
}
