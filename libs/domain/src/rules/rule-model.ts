import { LifecycleSegment, Tier } from '../profile-facts';

// A personalised-coupon rule, version 1: who gets an offer (audience), when it is judged
// (trigger), what it gives (reward), its limits, stacking and control group. Plain JSON data,
// judged by `parseRule` alone; the vocabularies below are the ones the parser, the OpenAPI
// document and the console share.
//
// Consent cannot be forgotten: `evaluateAudience` ANDs the household's consent to personalised
// offers with every audience other than 'everyone', whatever the author wrote. An author never
// has to add it; a `consent` condition is still allowed (e.g. as the whole audience of a
// birthday rule). A rule whose trigger reads the profile (birthday, enrolment anniversary,
// lapse, lifecycle transition) is personalised too, so the parser refuses it with 'everyone'.
//
// Ranges (`atLeast` / `atMost`) are inclusive and need at least one bound. A fact the household
// lacks (no visit yet, an unknown demographic, no home store) never holds a condition.

export const RULE_SCHEMA_VERSION = 1;

export const WINDOWS = ['4w', '13w', '52w'] as const;
export type Window = (typeof WINDOWS)[number];

export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

// Household income per year, in the programme's currency, as the enrolment form asks it.
export const INCOME_BANDS = ['under-20k', '20k-40k', '40k-60k', '60k-100k', '100k+'] as const;
export type IncomeBand = (typeof INCOME_BANDS)[number];

/** What a product condition or a reward is about: one department, category, brand, or SKUs. */
export type ItemSelector =
  { department: string } | { category: string } | { brand: string } | { skus: string[] };

export interface Range {
  atLeast?: number;
  atMost?: number;
}

/** The facts a range compares, each with its own bounds (see `RANGE_LIMITS`). */
export const RANGE_FACTS = [
  'averageBasket',
  'daysSinceLastVisit',
  'rScore',
  'fScore',
  'mScore',
  'householdSize',
] as const;
export type RangeFact = (typeof RANGE_FACTS)[number];

export const WINDOW_FACTS = ['spend', 'visits'] as const;
export type WindowFact = (typeof WINDOW_FACTS)[number];

export const PRODUCT_FACTS = ['productSpend', 'productUnits'] as const;
export type ProductFact = (typeof PRODUCT_FACTS)[number];

export type Condition =
  /** Spend (cents) or visits in a rolling window of weeks; the week holding the day is week 1. */
  | ({ fact: WindowFact; window: Window } & Range)
  /** Average basket (52 weeks, cents), days since the last visit, RFM scores, household size. */
  | ({ fact: RangeFact } & Range)
  /** The household's lifetime spend (cents) or units of the item. */
  | ({ fact: ProductFact; item: ItemSelector } & Range)
  /** Bought the item within the last `withinDays` days, the day itself being day 1. */
  | { fact: 'bought'; item: ItemSelector; withinDays: number }
  /** Bought one item and not the other within the same last `withinDays` days. */
  | { fact: 'boughtNotBought'; bought: ItemSelector; notBought: ItemSelector; withinDays: number }
  /**
   * Cross-sell from what goes with what: within the last `withinDays` days the household bought a
   * category that coupon-engine's item insight found often bought with `category` (a lift of at
   * least `minLift`), and did not buy `category` itself.
   */
  | { fact: 'crossSell'; category: string; minLift: number; withinDays: number }
  | { fact: 'lifecycle'; in: LifecycleSegment[] }
  | { fact: 'tier'; in: Tier[] }
  | { fact: 'ageBand'; in: AgeBand[] }
  | { fact: 'incomeBand'; in: IncomeBand[] }
  | { fact: 'homeStore'; in: string[] }
  | { fact: 'region'; in: string[] }
  /** The next birthday or enrolment anniversary is at most `withinDays` away (0: today). */
  | { fact: 'birthday'; withinDays: number }
  | { fact: 'enrolmentAnniversary'; withinDays: number }
  /** The household is on a static list marketing uploaded. */
  | { fact: 'inList'; listId: string }
  | { fact: 'consent'; purpose: 'personalisedOffers' };

export type ConditionFact = Condition['fact'];

/** Facts compared with a list of the vocabulary's values. */
export type ListFact = 'lifecycle' | 'tier' | 'ageBand' | 'incomeBand';

export const CONDITION_FACTS = [
  ...WINDOW_FACTS,
  ...RANGE_FACTS,
  ...PRODUCT_FACTS,
  'bought',
  'boughtNotBought',
  'crossSell',
  'lifecycle',
  'tier',
  'homeStore',
  'region',
  'ageBand',
  'incomeBand',
  'birthday',
  'enrolmentAnniversary',
  'inList',
  'consent',
] as const satisfies readonly ConditionFact[];

export type AudienceNode =
  { all: AudienceNode[] } | { any: AudienceNode[] } | { not: AudienceNode } | Condition;

/** 'everyone' is the one audience that is not personalised. */
export type Audience = 'everyone' | AudienceNode;

export const TRIGGER_KINDS = [
  'profileChange',
  'schedule',
  'birthday',
  'enrolmentAnniversary',
  'lapse',
  'lifecycleTransition',
] as const;

export type Trigger =
  /** Judged whenever the household's profile changes. */
  | { kind: 'profileChange' }
  /** Judged for everyone at the times of a 5-field cron expression in an IANA time zone. */
  | { kind: 'schedule'; cron: string; timeZone: string }
  | { kind: 'birthday'; daysBefore: number }
  | { kind: 'enrolmentAnniversary'; daysBefore: number }
  /** Judged on the day the household has not visited for `days` days. */
  | { kind: 'lapse'; days: number }
  | { kind: 'lifecycleTransition'; to: LifecycleSegment[]; from?: LifecycleSegment[] };

export type TriggerKind = Trigger['kind'];

/** Triggers that read the household's profile: their rules are personalised. */
export const PERSONAL_TRIGGERS = [
  'birthday',
  'enrolmentAnniversary',
  'lapse',
  'lifecycleTransition',
] as const satisfies readonly TriggerKind[];

export type RewardTarget = { basket: true } | ItemSelector;

export const FREE_CHOICES = ['cheapest', 'mostExpensive'] as const;

export type RewardBenefit =
  | { kind: 'percentOff'; percent: number }
  | { kind: 'amountOff'; amountCents: number }
  /** Each unit of the target at this price. */
  | { kind: 'fixedPrice'; priceCents: number }
  /** Buy `buy` units of the target, get `get` more of them free. */
  | { kind: 'buyXGetY'; buy: number; get: number; free: (typeof FREE_CHOICES)[number] }
  | { kind: 'freeItem'; sku: string }
  | { kind: 'pointsMultiplier'; multiplier: number }
  | { kind: 'bonusPoints'; points: number };

export type RewardKind = RewardBenefit['kind'];

export const REWARD_KINDS = [
  'percentOff',
  'amountOff',
  'fixedPrice',
  'buyXGetY',
  'freeItem',
  'pointsMultiplier',
  'bonusPoints',
] as const satisfies readonly RewardKind[];

export type Reward = RewardBenefit & {
  target: RewardTarget;
  minBasketCents?: number;
  maxDiscountCents?: number;
};

/** Rewards that price a number of units: meaningless on a whole basket. */
export const ITEM_ONLY_REWARDS = [
  'fixedPrice',
  'buyXGetY',
] as const satisfies readonly RewardKind[];
/** Rewards that give points, not money off: a discount cap means nothing for them. */
export const POINTS_REWARDS = [
  'pointsMultiplier',
  'bonusPoints',
] as const satisfies readonly RewardKind[];

export const CAP_PERIODS = ['day', 'week', 'month', 'year', 'campaign'] as const;
export type CapPeriod = (typeof CAP_PERIODS)[number];

export const STACKING_MODES = ['exclusive', 'stackable'] as const;
export type StackingMode = (typeof STACKING_MODES)[number];

export interface Rule {
  schemaVersion: typeof RULE_SCHEMA_VERSION;
  id: string;
  name: string;
  trigger: Trigger;
  audience: Audience;
  reward: Reward;
  /** When offers may be issued and redeemed (ISO 8601 instants, from < until). */
  validity: { from: string; until: string };
  /** An issued offer is valid this many days, capped by `validity.until`. */
  offerValidDays: number;
  /** Redemptions per household per period (the period in the programme's time zone). */
  perHouseholdCap?: { count: number; period: CapPeriod };
  usesPerOffer: number;
  maxOffersIssued?: number;
  /** Enforced by the checkout. */
  budgetCents?: number;
  /** Redeemable only in these stores; everywhere without it. */
  stores?: string[];
  /** Higher first. */
  priority: number;
  stacking: StackingMode;
  stackingGroup?: string;
  /** The offers apply at the checkout only once the shopper clipped them (app, website). */
  clipRequired?: boolean;
  /** Share of the audience held out as a control group (no offer), 0..0.5. */
  controlShare: number;
}

/** The fields of a rule's JSON; `usesPerOffer` and `controlShare` have defaults. */
export const RULE_REQUIRED_FIELDS = [
  'schemaVersion',
  'id',
  'name',
  'trigger',
  'audience',
  'reward',
  'validity',
  'offerValidDays',
  'priority',
  'stacking',
] as const satisfies readonly (keyof Rule)[];
export const RULE_OPTIONAL_FIELDS = [
  'perHouseholdCap',
  'usesPerOffer',
  'maxOffersIssued',
  'budgetCents',
  'stores',
  'stackingGroup',
  'clipRequired',
  'controlShare',
] as const satisfies readonly (keyof Rule)[];

/** Bounds shared by the parser and the generators. */
export const RULE_LIMITS = {
  maxDepth: 8,
  maxConditions: 64,
  maxViolations: 50,
  maxIdLength: 64,
  maxNameLength: 200,
  maxSkus: 100,
  maxListEntries: 100,
  maxStores: 1000,
  maxCents: 100_000_000_00,
  maxDays: 730,
  maxYearDays: 366,
  maxOfferValidDays: 366,
  maxCount: 1_000_000_000,
  maxBuyGet: 100,
  maxUsesPerOffer: 100,
  maxPriority: 1000,
  maxControlShare: 0.5,
  maxLift: 100,
} as const;

/** Inclusive bounds of each range fact's values (and of its `atLeast` / `atMost`). */
export const RANGE_LIMITS: Record<RangeFact | WindowFact | ProductFact, [number, number]> = {
  spend: [0, RULE_LIMITS.maxCents],
  visits: [0, 100_000],
  averageBasket: [0, RULE_LIMITS.maxCents],
  productSpend: [0, RULE_LIMITS.maxCents],
  productUnits: [0, 10_000_000],
  daysSinceLastVisit: [0, 36_600],
  rScore: [1, 5],
  fScore: [1, 5],
  mScore: [1, 5],
  householdSize: [1, 9],
};
