import { assertNever } from '../errors';
import { ProfileFacts } from '../events/contracts';
import { birthdayInDays, daysBetween } from '../profile-facts';
import {
  AgeBand,
  Audience,
  AudienceNode,
  Condition,
  IncomeBand,
  ItemSelector,
  Range,
} from './rule-model';

// Whether a household is in a rule's audience, with the reason: every node says whether it held
// and every condition the household's value it compared. Both sides of every `all` and `any`
// are evaluated (no short-circuit) so the reason is complete; the parser bounds the tree.

export interface ProductFactsRow {
  sku: string;
  department: string | null;
  category: string | null;
  brand: string | null;
  spendCents: number;
  units: number;
  /** Sales that bought it, and the median days between them (null below two). */
  purchases: number;
  repeatIntervalDays: number | null;
  lastBoughtOn: string | null;
}

/** What the audience conditions read about one household. Dates are `YYYY-MM-DD`. */
export interface AudienceFacts extends ProfileFacts {
  factsAsOf: string;
  homeStoreId: string | null;
  region: string | null;
  /** `MM-DD`. */
  birthday: string | null;
  /** Null for a household never enrolled (a card only seen at a till). */
  enrolledOn: string | null;
  demographics: {
    ageBand: AgeBand | null;
    householdSize: number | null;
    incomeBand: IncomeBand | null;
  };
  consent: { personalisedOffers: boolean };
  listIds: ReadonlySet<string>;
  products: readonly ProductFactsRow[];
  /**
   * What goes with the categories the audience's crossSell conditions name (the same for every
   * household): per category, the categories often bought with it and their lift.
   */
  boughtWith: ReadonlyMap<string, readonly { category: string; lift: number }[]>;
}

/** Days since the last purchase of the item on each side of a boughtNotBought. */
export interface BoughtNotBoughtActual {
  bought: number | null;
  notBought: number | null;
}

/**
 * A crossSell's values: the category bought within the days that goes with the one named (the
 * strongest association, null when none), and the days since the named one was bought.
 */
export interface CrossSellActual {
  boughtWith: string | null;
  daysSinceBought: number | null;
}

export type Actual = number | string | boolean | null | BoughtNotBoughtActual | CrossSellActual;

export type ReasonTree =
  | { everyone: true; held: true }
  | { all: ReasonTree[]; held: boolean }
  | { any: ReasonTree[]; held: boolean }
  | { not: ReasonTree; held: boolean }
  | (Condition & { actual: Actual; held: boolean });

/**
 * The reason tree of `audience` for the household on `asOf` (a date in the programme's zone).
 * Any audience but 'everyone' is personalised: the root ANDs the household's consent to
 * personalised offers with it, whatever the rule says.
 */
export function evaluateAudience(
  audience: Audience,
  facts: AudienceFacts,
  asOf: string,
): ReasonTree {
  if (audience === 'everyone') return { everyone: true, held: true };
  const consent = evaluateNode({ fact: 'consent', purpose: 'personalisedOffers' }, facts, asOf);
  const reason = evaluateNode(audience, facts, asOf);
  return { all: [consent, reason], held: consent.held && reason.held };
}

function evaluateNode(node: AudienceNode, facts: AudienceFacts, asOf: string): ReasonTree {
  if ('all' in node) {
    const all = node.all.map((child) => evaluateNode(child, facts, asOf));
    return { all, held: all.every((child) => child.held) };
  }
  if ('any' in node) {
    const any = node.any.map((child) => evaluateNode(child, facts, asOf));
    return { any, held: any.some((child) => child.held) };
  }
  if ('not' in node) {
    const not = evaluateNode(node.not, facts, asOf);
    return { not, held: !not.held };
  }
  const [actual, held] = evaluateCondition(node, facts, asOf);
  return { ...node, actual, held };
}

type Outcome = [actual: Actual, held: boolean];

function ranged(value: number | null, range: Range): Outcome {
  const held =
    value !== null &&
    (range.atLeast === undefined || value >= range.atLeast) &&
    (range.atMost === undefined || value <= range.atMost);
  return [value, held];
}

function listed<T extends string>(value: T | null, list: readonly T[]): Outcome {
  return [value, value !== null && list.includes(value)];
}

export function productMatches(product: ProductFactsRow, item: ItemSelector): boolean {
  if ('skus' in item) return item.skus.includes(product.sku);
  if ('department' in item) return product.department === item.department;
  if ('category' in item) return product.category === item.category;
  return product.brand === item.brand;
}

/** The item a product counts as in the item insight's categories: its department without one. */
function categoryItemOf(product: ProductFactsRow): string | null {
  return (
    product.category ?? (product.department === null ? null : `department:${product.department}`)
  );
}

/** Days from the item's latest purchase to `asOf`; null when never bought. */
function daysSinceBought(facts: AudienceFacts, item: ItemSelector, asOf: string): number | null {
  const dates = facts.products
    .filter((product) => productMatches(product, item))
    .map((product) => product.lastBoughtOn)
    .filter((date): date is string => date !== null);
  if (dates.length === 0) return null;
  const latest = dates.reduce((last, date) => (date > last ? date : last));
  return daysBetween(latest, asOf);
}

// "Within the last N days" counts `asOf` as the first of them: bought N - 1 days ago holds.
const boughtWithin = (daysAgo: number | null, withinDays: number) =>
  daysAgo !== null && daysAgo < withinDays;

/** The next enrolment anniversary in days (0 on the day); never the enrolment day itself. */
function anniversaryInDays(enrolledOn: string | null, asOf: string): number | null {
  if (enrolledOn === null) return null;
  const days = birthdayInDays(enrolledOn.slice(5), asOf);
  return days !== null && daysBetween(enrolledOn, asOf) + days > 0 ? days : null;
}

function sumProducts(facts: AudienceFacts, item: ItemSelector, key: 'spendCents' | 'units') {
  return facts.products.filter((p) => productMatches(p, item)).reduce((sum, p) => sum + p[key], 0);
}

const WINDOW_VALUES = {
  spend: { '4w': 'spend4wCents', '13w': 'spend13wCents', '52w': 'spend52wCents' },
  visits: { '4w': 'visits4w', '13w': 'visits13w', '52w': 'visits52w' },
} as const;

function evaluateCondition(condition: Condition, facts: AudienceFacts, asOf: string): Outcome {
  switch (condition.fact) {
    case 'spend':
    case 'visits':
      // The rolling windows are as of factsAsOf: a week rolling over republishes the profile.
      return ranged(facts[WINDOW_VALUES[condition.fact][condition.window]], condition);
    case 'averageBasket':
      return ranged(facts.averageBasket52wCents, condition);
    case 'daysSinceLastVisit':
      return ranged(
        facts.daysSinceLastVisit === null
          ? null
          : facts.daysSinceLastVisit + daysBetween(facts.factsAsOf, asOf),
        condition,
      );
    case 'rScore':
    case 'fScore':
    case 'mScore':
      return ranged(facts[condition.fact], condition);
    case 'householdSize':
      return ranged(facts.demographics.householdSize, condition);
    case 'productSpend':
      return ranged(sumProducts(facts, condition.item, 'spendCents'), condition);
    case 'productUnits':
      return ranged(sumProducts(facts, condition.item, 'units'), condition);
    case 'bought': {
      const daysAgo = daysSinceBought(facts, condition.item, asOf);
      return [daysAgo, boughtWithin(daysAgo, condition.withinDays)];
    }
    case 'boughtNotBought': {
      const bought = daysSinceBought(facts, condition.bought, asOf);
      const notBought = daysSinceBought(facts, condition.notBought, asOf);
      return [
        { bought, notBought },
        boughtWithin(bought, condition.withinDays) &&
          !boughtWithin(notBought, condition.withinDays),
      ];
    }
    case 'crossSell': {
      const daysAgo = (p: ProductFactsRow) =>
        p.lastBoughtOn === null ? null : daysBetween(p.lastBoughtOn, asOf);
      const recent = new Set(
        facts.products
          .filter((p) => boughtWithin(daysAgo(p), condition.withinDays))
          .map(categoryItemOf),
      );
      const boughtWith =
        (facts.boughtWith.get(condition.category) ?? [])
          .filter((a) => a.lift >= condition.minLift && recent.has(a.category))
          .sort((a, b) => b.lift - a.lift || (a.category < b.category ? -1 : 1))[0]?.category ??
        null;
      const since = facts.products
        .filter((p) => categoryItemOf(p) === condition.category)
        .map(daysAgo)
        .filter((days): days is number => days !== null);
      const daysSinceBought = since.length === 0 ? null : Math.min(...since);
      return [
        { boughtWith, daysSinceBought },
        boughtWith !== null && !boughtWithin(daysSinceBought, condition.withinDays),
      ];
    }
    case 'lifecycle':
      return listed(facts.lifecycle, condition.in);
    case 'tier':
      return listed(facts.tier, condition.in);
    case 'homeStore':
      return listed(facts.homeStoreId, condition.in);
    case 'region':
      return listed(facts.region, condition.in);
    case 'ageBand':
      return listed(facts.demographics.ageBand, condition.in);
    case 'incomeBand':
      return listed(facts.demographics.incomeBand, condition.in);
    case 'birthday': {
      const days = birthdayInDays(facts.birthday, asOf);
      return [days, days !== null && days <= condition.withinDays];
    }
    case 'enrolmentAnniversary': {
      const days = anniversaryInDays(facts.enrolledOn, asOf);
      return [days, days !== null && days <= condition.withinDays];
    }
    case 'inList': {
      const onList = facts.listIds.has(condition.listId);
      return [onList, onList];
    }
    case 'consent':
      return [facts.consent.personalisedOffers, facts.consent.personalisedOffers];
    default:
      return assertNever(condition);
  }
}

/**
 * What judging `audience` reads beyond the household's facts: its products, which lists, and
 * what goes with which categories.
 */
export function audienceReads(audience: Audience): AudienceReads {
  const reads = { products: false, listIds: [] as string[], crossSell: [] as string[] };
  const visit = (node: AudienceNode): void => {
    if ('all' in node) node.all.forEach(visit);
    else if ('any' in node) node.any.forEach(visit);
    else if ('not' in node) visit(node.not);
    else if (node.fact === 'inList') reads.listIds.push(node.listId);
    else if (node.fact === 'crossSell') {
      reads.products = true;
      reads.crossSell.push(node.category);
    } else if (PRODUCT_CONDITIONS.includes(node.fact)) reads.products = true;
  };
  if (audience !== 'everyone') visit(audience);
  return reads;
}

export interface AudienceReads {
  products: boolean;
  listIds: string[];
  /** The categories of crossSell conditions. */
  crossSell: string[];
}

const PRODUCT_CONDITIONS: readonly Condition['fact'][] = [
  'productSpend',
  'productUnits',
  'bought',
  'boughtNotBought',
];
