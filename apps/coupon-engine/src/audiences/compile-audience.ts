import {
  Audience,
  AudienceNode,
  Condition,
  ItemSelector,
  Range,
  assertNever,
} from '@loyalty/domain';

// An audience as one boolean SQL expression over `f`, a row of coupons.household_facts, so a
// scheduled rule selects every household it holds for in one query. It selects exactly the
// households `evaluateAudience` accepts (the integration test holds the two together):
// - every condition is true or false, never NULL (a fact the household lacks holds nothing),
//   so `NOT` of a condition on a missing fact holds, as in the evaluator;
// - day counters are as of `f.facts_as_of` and move to the day judged;
// - consent is ANDed with any audience but 'everyone'.
// Every value is a bind parameter: item names, stores and lists come from marketers.

export interface CompiledAudience {
  where: string;
  params: unknown[];
}

/** The audience on `asOf` (`YYYY-MM-DD`), its parameters numbered from `$firstParam`. */
export function compileAudience(
  audience: Audience,
  asOf: string,
  firstParam = 1,
): CompiledAudience {
  if (audience === 'everyone') return { where: 'true', params: [] };
  const { compiler, params } = newCompiler(asOf, firstParam);
  const consent = compileCondition({ fact: 'consent', purpose: 'personalisedOffers' }, compiler);
  return { where: `${consent} AND ${compileNode(audience, compiler)}`, params };
}

export interface CompiledValues {
  /** A jsonb expression: each condition's path in the rule (`audience.all[2]`) to its value. */
  values: string;
  params: unknown[];
}

// jsonb_build_object takes at most 100 arguments: 50 paths and values a call.
const PAIRS_PER_OBJECT = 50;

/**
 * The household's value of every condition of the audience on `asOf`, as `evaluateAudience`
 * reports it in its reason tree (`actual`), keyed by the condition's path: with the rule version,
 * which holds the audience, it is the reason tree of a household a campaign selected. Parameters
 * are numbered from `$firstParam`.
 */
export function compileAudienceValues(
  audience: Audience,
  asOf: string,
  firstParam = 1,
): CompiledValues {
  const { compiler, params } = newCompiler(asOf, firstParam);
  const pairs: string[] = [];
  const visit = (node: AudienceNode, path: string): void => {
    if ('all' in node) node.all.forEach((child, i) => visit(child, `${path}.all[${i}]`));
    else if ('any' in node) node.any.forEach((child, i) => visit(child, `${path}.any[${i}]`));
    else if ('not' in node) visit(node.not, `${path}.not`);
    else pairs.push(`${compiler.param(path, 'text')}, ${conditionValue(node, compiler)}`);
  };
  if (audience !== 'everyone') visit(audience, 'audience');
  const objects: string[] = [];
  for (let i = 0; i < pairs.length; i += PAIRS_PER_OBJECT)
    objects.push(`jsonb_build_object(${pairs.slice(i, i + PAIRS_PER_OBJECT).join(', ')})`);
  return { values: objects.length === 0 ? `'{}'::jsonb` : objects.join(' || '), params };
}

function newCompiler(asOf: string, firstParam: number) {
  const params: unknown[] = [];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${firstParam + params.length - 1}::${type}`;
  };
  // Bound where first read: PostgreSQL refuses a parameter the statement never uses.
  let dayParam: string | undefined;
  const day = () => (dayParam ??= param(asOf, 'date'));
  return { compiler: { param, day } satisfies Compiler, params };
}

interface Compiler {
  /** Binds a value and returns its placeholder cast to `type`. */
  param: (value: unknown, type: string) => string;
  /** The day judged, as a date placeholder (bound on first use). */
  day: () => string;
}

function compileNode(node: AudienceNode, c: Compiler): string {
  const each = (children: AudienceNode[]) => children.map((child) => compileNode(child, c));
  // An empty `all` holds and an empty `any` does not, as `every` and `some` say.
  if ('all' in node) return joined(each(node.all), 'AND', 'true');
  if ('any' in node) return joined(each(node.any), 'OR', 'false');
  if ('not' in node) return `(NOT ${compileNode(node.not, c)})`;
  return compileCondition(node, c);
}

function joined(parts: string[], operator: 'AND' | 'OR', empty: string): string {
  return parts.length === 0 ? empty : `(${parts.join(` ${operator} `)})`;
}

/** NULL (a missing fact) does not hold. */
const known = (sql: string) => `coalesce(${sql}, false)`;

function ranged(value: string, range: Range, c: Compiler): string {
  const bounds = [
    range.atLeast === undefined ? [] : [`${value} >= ${c.param(range.atLeast, 'numeric')}`],
    range.atMost === undefined ? [] : [`${value} <= ${c.param(range.atMost, 'numeric')}`],
  ].flat();
  return known(bounds.length === 0 ? `${value} IS NOT NULL` : bounds.join(' AND '));
}

function listed(column: string, values: readonly string[], c: Compiler): string {
  return known(`${column} = ANY(${c.param(values, 'text[]')})`);
}

/** Whether `p`, a row of pos-ingest's product sums, is of the item; values bound by `param`. */
export function itemMatches(item: ItemSelector, param: Compiler['param']): string {
  if ('skus' in item) return `p.sku = ANY(${param(item.skus, 'text[]')})`;
  if ('department' in item) return `p.department = ${param(item.department, 'text')}`;
  if ('category' in item) return `p.category = ${param(item.category, 'text')}`;
  return `p.brand = ${param(item.brand, 'text')}`;
}

const matches = (item: ItemSelector, c: Compiler) => itemMatches(item, c.param);

// pos-ingest's lifetime sums per household and SKU, read in place (a named read, listed in
// docs/ARCHITECTURE.md): a copy by event would move every purchase's products a second time.
const PRODUCTS = 'ingest.shopper_products p WHERE p.shopper_id = f.household_id';

// "Within the last N days" counts the day judged as the first of them: bought on or after
// day - (N - 1), or later (a purchase dated after the day judged counts too).
function bought(item: ItemSelector, withinDays: number, c: Compiler): string {
  const matching = matches(item, c);
  const since = `${c.day()} - ${c.param(withinDays, 'integer')}`;
  return `EXISTS (SELECT 1 FROM ${PRODUCTS} AND ${matching} AND p.last_bought_on > ${since})`;
}

/** The lifetime sum over the item's products; 0 when the household never bought it. */
function productSum(item: ItemSelector, column: string, c: Compiler): string {
  return `(SELECT coalesce(sum(p.${column}), 0) FROM ${PRODUCTS} AND ${matches(item, c)})`;
}

// A product as the item insight counts it at category level: its department without a category.
const CATEGORY_ITEM = `coalesce(p.category, 'department:' || p.department)`;

/**
 * A crossSell's two values: the category bought within the days that goes with the one named
 * (coupon-engine's item insight, `coupons.item_associations`; the strongest, NULL when none),
 * and the days since the household bought the one named (NULL when never).
 */
function crossSell(condition: Extract<Condition, { fact: 'crossSell' }>, c: Compiler) {
  const category = c.param(condition.category, 'text');
  const withinDays = c.param(condition.withinDays, 'integer');
  const since = `${c.day()} - ${withinDays}`;
  return {
    boughtWith: `(SELECT a.antecedent FROM coupons.item_associations a
       WHERE a.level = 'category' AND a.consequent = ${category}
         AND a.lift >= ${c.param(condition.minLift, 'float8')}
         AND EXISTS (SELECT 1 FROM ${PRODUCTS} AND ${CATEGORY_ITEM} = a.antecedent
                        AND p.last_bought_on > ${since})
       ORDER BY a.lift DESC, a.antecedent COLLATE "C" LIMIT 1)`,
    daysSinceBought: `(${c.day()} - (SELECT max(p.last_bought_on) FROM ${PRODUCTS} AND ${CATEGORY_ITEM} = ${category}))`,
    withinDays,
  };
}

/** `MM-DD` in the day judged's year plus `years`; 29 February is 28 February without one. */
function dateInYear(monthDay: string, years: number, c: Compiler): string {
  // 2000 was a leap year; adding years clamps 29 February to the 28th, as `dateInYear` does.
  const year = `extract(year FROM ${c.day()})::integer + ${years} - 2000`;
  return `(('2000-' || ${monthDay})::date + make_interval(years => ${year}))::date`;
}

/** The next `MM-DD` on or after the day judged. */
function nextDate(monthDay: string, c: Compiler): string {
  const thisYear = dateInYear(monthDay, 0, c);
  return `CASE WHEN ${thisYear} >= ${c.day()} THEN ${thisYear} ELSE ${dateInYear(monthDay, 1, c)} END`;
}

const WINDOW_COLUMNS = {
  spend: { '4w': 'spend_4w_cents', '13w': 'spend_13w_cents', '52w': 'spend_52w_cents' },
  visits: { '4w': 'visits_4w', '13w': 'visits_13w', '52w': 'visits_52w' },
} as const;

/** The facts read from one column of `f` as they are. */
const COLUMNS = {
  averageBasket: 'f.average_basket_52w_cents',
  rScore: 'f.r_score',
  fScore: 'f.f_score',
  mScore: 'f.m_score',
  householdSize: 'f.household_size',
  lifecycle: 'f.lifecycle',
  tier: 'f.tier',
  homeStore: 'f.home_store_id',
  region: '(SELECT s.region FROM coupons.store_regions s WHERE s.store_id = f.home_store_id)',
  ageBand: 'f.age_band',
  incomeBand: 'f.income_band',
} as const;

/** Days from the item's latest purchase to the day judged; NULL when never bought. */
function daysSinceBought(item: ItemSelector, c: Compiler): string {
  return `(${c.day()} - (SELECT max(p.last_bought_on) FROM ${PRODUCTS} AND ${matches(item, c)}))`;
}

/** The household's value a condition compares (`actual` in the reason tree), as SQL. */
function conditionValue(condition: Condition, c: Compiler): string {
  switch (condition.fact) {
    case 'spend':
    case 'visits':
      return `f.${WINDOW_COLUMNS[condition.fact][condition.window]}`;
    case 'averageBasket':
    case 'rScore':
    case 'fScore':
    case 'mScore':
    case 'householdSize':
    case 'lifecycle':
    case 'tier':
    case 'homeStore':
    case 'region':
    case 'ageBand':
    case 'incomeBand':
      return COLUMNS[condition.fact];
    case 'daysSinceLastVisit':
      return `(f.days_since_last_visit + (${c.day()} - f.facts_as_of))`;
    case 'productSpend':
      return productSum(condition.item, 'spend_cents', c);
    case 'productUnits':
      return productSum(condition.item, 'units', c);
    case 'bought':
      return daysSinceBought(condition.item, c);
    case 'boughtNotBought':
      return `jsonb_build_object('bought', ${daysSinceBought(condition.bought, c)}, 'notBought', ${daysSinceBought(condition.notBought, c)})`;
    case 'crossSell': {
      const { boughtWith, daysSinceBought } = crossSell(condition, c);
      return `jsonb_build_object('boughtWith', ${boughtWith}, 'daysSinceBought', ${daysSinceBought})`;
    }
    case 'birthday':
      return `(${nextDate('f.birthday', c)}) - ${c.day()}`;
    case 'enrolmentAnniversary': {
      // Never the enrolment day itself (nor one before it).
      const next = nextDate(`to_char(f.enrolled_on, 'MM-DD')`, c);
      return `CASE WHEN ${next} > f.enrolled_on THEN (${next}) - ${c.day()} END`;
    }
    case 'inList':
    case 'consent':
      return compileCondition(condition, c);
    default:
      return assertNever(condition);
  }
}

function compileCondition(condition: Condition, c: Compiler): string {
  switch (condition.fact) {
    case 'spend':
    case 'visits':
    case 'averageBasket':
    case 'rScore':
    case 'fScore':
    case 'mScore':
    case 'householdSize':
    case 'daysSinceLastVisit':
    case 'productSpend':
    case 'productUnits':
      return ranged(conditionValue(condition, c), condition, c);
    case 'bought':
      return bought(condition.item, condition.withinDays, c);
    case 'boughtNotBought':
      return `(${bought(condition.bought, condition.withinDays, c)} AND NOT ${bought(condition.notBought, condition.withinDays, c)})`;
    case 'crossSell': {
      const { boughtWith, daysSinceBought, withinDays } = crossSell(condition, c);
      return `(${boughtWith} IS NOT NULL AND NOT ${known(`${daysSinceBought} < ${withinDays}`)})`;
    }
    case 'lifecycle':
    case 'tier':
    case 'homeStore':
    case 'region':
    case 'ageBand':
    case 'incomeBand':
      return listed(conditionValue(condition, c), condition.in, c);
    case 'birthday': {
      const within = c.param(condition.withinDays, 'integer');
      return known(`${nextDate('f.birthday', c)} <= ${c.day()} + ${within}`);
    }
    case 'enrolmentAnniversary': {
      // Never the enrolment day itself (nor one before it).
      const next = nextDate(`to_char(f.enrolled_on, 'MM-DD')`, c);
      const within = c.param(condition.withinDays, 'integer');
      return known(`${next} <= ${c.day()} + ${within} AND ${next} > f.enrolled_on`);
    }
    case 'inList':
      return `EXISTS (SELECT 1 FROM loyalty.audience_list_members l WHERE l.list_id = ${c.param(condition.listId, 'uuid')} AND l.household_id = f.household_id)`;
    case 'consent':
      return 'f.consent_personalised_offers';
    default:
      return assertNever(condition);
  }
}
