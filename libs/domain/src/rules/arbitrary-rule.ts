import fc from 'fast-check';
import { LIFECYCLE_SEGMENTS, TIERS } from '../profile-facts';
import {
  AGE_BANDS,
  Audience,
  AudienceNode,
  CAP_PERIODS,
  Condition,
  FREE_CHOICES,
  INCOME_BANDS,
  ItemSelector,
  PERSONAL_TRIGGERS,
  PRODUCT_FACTS,
  RANGE_FACTS,
  RANGE_LIMITS,
  RULE_LIMITS,
  RULE_REQUIRED_FIELDS,
  RULE_SCHEMA_VERSION,
  Range,
  Reward,
  RewardBenefit,
  RewardTarget,
  Rule,
  STACKING_MODES,
  Trigger,
  WINDOWS,
  WINDOW_FACTS,
} from './rule-model';

// Generators of valid rules for property tests (fast-check is a dev dependency: this file is
// not exported from the domain, tests import it by path). Ids and names hold no run of 13
// digits, so no generated string can look like a payment card number.

const id = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const ids = (maxLength: number) => fc.uniqueArray(id, { minLength: 1, maxLength });
const subset = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 });

const itemSelector: fc.Arbitrary<ItemSelector> = fc.oneof(
  fc.record({ department: id }),
  fc.record({ category: id }),
  fc.record({ brand: id }),
  fc.record({ skus: ids(5) }),
);

function range([min, max]: [number, number]): fc.Arbitrary<Range> {
  return fc
    .tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.constantFrom(0, 1, 2))
    .map(([a, b, bounds]) => {
      const [atLeast, atMost] = a <= b ? [a, b] : [b, a];
      if (bounds === 0) return { atLeast };
      if (bounds === 1) return { atMost };
      return { atLeast, atMost };
    });
}

const days = (min: number, max: number) => fc.integer({ min, max });

const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...WINDOW_FACTS), fc.constantFrom(...WINDOWS))
    .chain(([fact, window]) => range(RANGE_LIMITS[fact]).map((r) => ({ fact, window, ...r }))),
  fc
    .constantFrom(...RANGE_FACTS)
    .chain((fact) => range(RANGE_LIMITS[fact]).map((r) => ({ fact, ...r }))),
  fc
    .tuple(fc.constantFrom(...PRODUCT_FACTS), itemSelector)
    .chain(([fact, item]) => range(RANGE_LIMITS[fact]).map((r) => ({ fact, item, ...r }))),
  fc.record({
    fact: fc.constant('bought' as const),
    item: itemSelector,
    withinDays: days(1, RULE_LIMITS.maxDays),
  }),
  fc.record({
    fact: fc.constant('boughtNotBought' as const),
    bought: itemSelector,
    notBought: itemSelector,
    withinDays: days(1, RULE_LIMITS.maxDays),
  }),
  fc.record({
    fact: fc.constant('crossSell' as const),
    category: id,
    minLift: fc.double({ min: 1, max: RULE_LIMITS.maxLift, noNaN: true }),
    withinDays: days(1, RULE_LIMITS.maxDays),
  }),
  fc.record({ fact: fc.constant('lifecycle' as const), in: subset(LIFECYCLE_SEGMENTS) }),
  fc.record({ fact: fc.constant('tier' as const), in: subset(TIERS) }),
  fc.record({ fact: fc.constantFrom('homeStore' as const, 'region' as const), in: ids(5) }),
  fc.record({ fact: fc.constant('ageBand' as const), in: subset(AGE_BANDS) }),
  fc.record({ fact: fc.constant('incomeBand' as const), in: subset(INCOME_BANDS) }),
  fc.record({
    fact: fc.constantFrom('birthday' as const, 'enrolmentAnniversary' as const),
    withinDays: days(0, RULE_LIMITS.maxYearDays),
  }),
  fc.record({ fact: fc.constant('inList' as const), listId: fc.uuid() }),
  fc.constant({ fact: 'consent' as const, purpose: 'personalisedOffers' as const }),
);

// At most 2 children and 5 levels of operators: at most 32 conditions, 6 levels deep.
const { audienceNode } = fc.letrec<{ audienceNode: AudienceNode }>((tie) => ({
  audienceNode: fc.oneof(
    { maxDepth: 5, depthIdentifier: 'audience' },
    condition,
    fc.record({ all: fc.array(tie('audienceNode'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ any: fc.array(tie('audienceNode'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ not: tie('audienceNode') }),
  ),
}));

const trigger: fc.Arbitrary<Trigger> = fc.oneof(
  fc.constant({ kind: 'profileChange' as const }),
  fc.record({
    kind: fc.constant('schedule' as const),
    cron: fc
      .tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }))
      .chain(([minute, hour]) =>
        fc.constantFrom(
          `${minute} ${hour} * * *`,
          `*/15 ${hour}-23 1,15 * 1-5`,
          `${minute} 6 * 1-12/3 0`,
        ),
      ),
    timeZone: fc.constantFrom('Europe/London', 'UTC', 'America/New_York', 'Asia/Kolkata'),
  }),
  fc.record({
    kind: fc.constantFrom('birthday' as const, 'enrolmentAnniversary' as const),
    daysBefore: days(0, 90),
  }),
  fc.record({ kind: fc.constant('lapse' as const), days: days(1, RULE_LIMITS.maxDays) }),
  fc.record(
    {
      kind: fc.constant('lifecycleTransition' as const),
      to: subset(LIFECYCLE_SEGMENTS),
      from: subset(LIFECYCLE_SEGMENTS),
    },
    { requiredKeys: ['kind', 'to'] },
  ),
);

const cents = (min: number) => fc.integer({ min, max: RULE_LIMITS.maxCents });
const basket: fc.Arbitrary<RewardTarget> = fc.constant({ basket: true });
const anyTarget: fc.Arbitrary<RewardTarget> = fc.oneof(basket, itemSelector);

/** Each benefit with the targets it makes sense on and whether a discount cap applies. */
const benefits: [fc.Arbitrary<RewardBenefit>, fc.Arbitrary<RewardTarget>, boolean][] = [
  [
    fc.record({
      kind: fc.constant('percentOff' as const),
      percent: fc.integer({ min: 1, max: 100 }),
    }),
    anyTarget,
    true,
  ],
  [fc.record({ kind: fc.constant('amountOff' as const), amountCents: cents(1) }), anyTarget, false],
  [
    fc.record({ kind: fc.constant('fixedPrice' as const), priceCents: cents(0) }),
    itemSelector,
    true,
  ],
  [
    fc.record({
      kind: fc.constant('buyXGetY' as const),
      buy: fc.integer({ min: 1, max: RULE_LIMITS.maxBuyGet }),
      get: fc.integer({ min: 1, max: RULE_LIMITS.maxBuyGet }),
      free: fc.constantFrom(...FREE_CHOICES),
    }),
    itemSelector,
    true,
  ],
  [fc.record({ kind: fc.constant('freeItem' as const), sku: id }), basket, true],
  [
    fc.record({
      kind: fc.constant('pointsMultiplier' as const),
      multiplier: fc.integer({ min: 2, max: 10 }),
    }),
    anyTarget,
    false,
  ],
  [
    fc.record({
      kind: fc.constant('bonusPoints' as const),
      points: fc.integer({ min: 1, max: 100_000 }),
    }),
    anyTarget,
    false,
  ],
];

export const arbitraryReward: fc.Arbitrary<Reward> = fc.oneof(
  ...benefits.map(([benefit, target, capped]) =>
    fc
      .tuple(
        benefit,
        target,
        fc.option(cents(0), { nil: undefined }),
        capped ? fc.option(cents(1), { nil: undefined }) : fc.constant(undefined),
      )
      .map(([b, t, minBasketCents, maxDiscountCents]) => ({
        ...b,
        target: t,
        ...(minBasketCents === undefined ? {} : { minBasketCents }),
        ...(maxDiscountCents === undefined ? {} : { maxDiscountCents }),
      })),
  ),
);

const DAY_MS = 86_400_000;
const validity = fc
  .tuple(
    fc.integer({
      min: Date.parse('2025-01-01T00:00:00Z'),
      max: Date.parse('2030-01-01T00:00:00Z'),
    }),
    fc.integer({ min: 1, max: 400 * DAY_MS }),
  )
  .map(([from, length]) => ({
    from: new Date(from).toISOString(),
    until: new Date(from + length).toISOString(),
  }));

export const arbitraryAudience: fc.Arbitrary<Audience> = fc.oneof(
  fc.constant('everyone' as const),
  audienceNode,
);

/** A valid rule of any trigger, audience, reward and limits, defaults written out. */
export function arbitraryRule(): fc.Arbitrary<Rule> {
  return fc
    .record(
      {
        schemaVersion: fc.constant(RULE_SCHEMA_VERSION),
        id,
        name: fc.stringMatching(/^[A-Za-z][A-Za-z ',.-]{0,199}$/),
        trigger,
        audience: arbitraryAudience,
        reward: arbitraryReward,
        validity,
        offerValidDays: fc.integer({ min: 1, max: RULE_LIMITS.maxOfferValidDays }),
        perHouseholdCap: fc.record({
          count: fc.integer({ min: 1, max: 1000 }),
          period: fc.constantFrom(...CAP_PERIODS),
        }),
        usesPerOffer: fc.integer({ min: 1, max: RULE_LIMITS.maxUsesPerOffer }),
        maxOffersIssued: fc.integer({ min: 1, max: RULE_LIMITS.maxCount }),
        budgetCents: cents(1),
        stores: ids(10),
        priority: fc.integer({ min: 0, max: RULE_LIMITS.maxPriority }),
        stacking: fc.constantFrom(...STACKING_MODES),
        stackingGroup: id,
        clipRequired: fc.boolean(),
        // Hundredths: a generated -0 or long fraction would not survive JSON unchanged.
        controlShare: fc.integer({ min: 0, max: 50 }).map((n) => n / 100),
      },
      {
        requiredKeys: [...RULE_REQUIRED_FIELDS, 'usesPerOffer', 'controlShare'],
      },
    )
    .map((rule) =>
      // A trigger that reads the profile is personalised: 'everyone' is not its audience.
      rule.audience === 'everyone' &&
      (PERSONAL_TRIGGERS as readonly string[]).includes(rule.trigger.kind)
        ? { ...rule, audience: { fact: 'consent', purpose: 'personalisedOffers' } }
        : rule,
    );
}
