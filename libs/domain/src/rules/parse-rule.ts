import { assertNever } from '../errors';
import { LIFECYCLE_SEGMENTS, TIERS } from '../profile-facts';
import { TransactionRules, Violation, findPaymentCardNumbers } from '../validate-transaction';
import {
  AGE_BANDS,
  CAP_PERIODS,
  CONDITION_FACTS,
  ListFact,
  FREE_CHOICES,
  INCOME_BANDS,
  ITEM_ONLY_REWARDS,
  PERSONAL_TRIGGERS,
  POINTS_REWARDS,
  RANGE_LIMITS,
  REWARD_KINDS,
  RULE_LIMITS,
  RULE_OPTIONAL_FIELDS,
  RULE_REQUIRED_FIELDS,
  RULE_SCHEMA_VERSION,
  Reward,
  Rule,
  STACKING_MODES,
  TRIGGER_KINDS,
  WINDOWS,
} from './rule-model';

// The one judge of a rule's JSON. It reports every violation (up to `maxViolations`) with the
// path of its field, e.g. `audience.all[2].window`, and never echoes a value: a rule is typed
// by marketing and may hold anything, card numbers included.
//
// An empty `all` or `any` is refused rather than read as "everyone" or "no one": the author
// meant something else, and 'everyone' says it plainly. The audience tree is bounded (depth 8,
// 64 conditions) and walking stops at the violation cap, so the work is bounded too.

export type ParseRuleOptions = Pick<TransactionRules, 'loyaltyCardPrefix'>;

export type ParsedRule = { ok: true; rule: Rule } | { ok: false; violations: Violation[] };

type Fields = Record<string, unknown>;

interface Context {
  violations: Violation[];
  conditions: number;
}

const CONTROL_CHARACTERS = /\p{Cc}/u;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const TIME_ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);
const nameOf = (path: string) => path || 'the rule';

function add(ctx: Context, field: string, rule: string, message: string): undefined {
  if (ctx.violations.length < RULE_LIMITS.maxViolations)
    ctx.violations.push({ field, rule, message });
  return undefined;
}

const full = (ctx: Context) => ctx.violations.length >= RULE_LIMITS.maxViolations;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object when it is one; each unknown key and each missing required key is a violation. */
function fields(
  ctx: Context,
  value: unknown,
  path: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Fields | undefined {
  if (value === undefined) return undefined;
  if (!isFields(value))
    return add(ctx, nameOf(path), 'object', `${nameOf(path)} must be an object`);
  for (const key of Object.keys(value)) {
    if (required.includes(key) || optional.includes(key)) continue;
    // A key is named only when it looks like a field name: the key itself may be the data.
    if (FIELD_NAME.test(key))
      add(ctx, at(path, key), 'unknownKey', `${at(path, key)} is not a field`);
    else add(ctx, nameOf(path), 'unknownKey', `${nameOf(path)} has a key that is not a field`);
  }
  for (const key of required)
    if (!Object.hasOwn(value, key))
      add(ctx, at(path, key), 'required', `${at(path, key)} is required`);
  return value;
}

// Readers below take `undefined` as "absent": `fields` already reported a missing required key.

function integer(
  ctx: Context,
  value: unknown,
  path: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    return add(ctx, path, 'integer', `${path} must be a whole number`);
  if (value < min || value > max)
    return add(ctx, path, 'range', `${path} must be between ${min} and ${max}`);
  return value;
}

function text(ctx: Context, value: unknown, path: string, maxLength: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return add(ctx, path, 'string', `${path} must be a string`);
  if (value.length === 0 || value.length > maxLength)
    return add(ctx, path, 'length', `${path} must be 1 to ${maxLength} characters`);
  if (CONTROL_CHARACTERS.test(value))
    return add(ctx, path, 'noControlCharacters', `${path} must not hold control characters`);
  return value;
}

const id = (ctx: Context, value: unknown, path: string) =>
  text(ctx, value, path, RULE_LIMITS.maxIdLength);

function oneOf<T extends string>(
  ctx: Context,
  value: unknown,
  path: string,
  vocabulary: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(vocabulary as readonly string[]).includes(value))
    return add(ctx, path, 'oneOf', `${path} must be one of ${vocabulary.join(', ')}`);
  return value as T;
}

/** The discriminating key's value (`fact`, `kind`); the other keys are judged only once it is known. */
function discriminator<T extends string>(
  ctx: Context,
  value: Fields,
  path: string,
  key: string,
  vocabulary: readonly T[],
): T | undefined {
  if (value[key] === undefined)
    return add(ctx, at(path, key), 'required', `${at(path, key)} is required`);
  return oneOf(ctx, value[key], at(path, key), vocabulary);
}

function list(
  ctx: Context,
  value: unknown,
  path: string,
  max: number,
  each: (entry: unknown, path: string) => unknown,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) return add(ctx, path, 'array', `${path} must be an array`);
  if (value.length === 0) return add(ctx, path, 'notEmpty', `${path} must not be empty`);
  if (value.length > max)
    return add(ctx, path, 'maxItems', `${path} must have at most ${max} entries`);
  value.forEach((entry, index) => each(entry, `${path}[${index}]`));
}

const idList = (ctx: Context, value: unknown, path: string, max: number) =>
  list(ctx, value, path, max, (entry, entryPath) => id(ctx, entry, entryPath));

const vocabularyList = (
  ctx: Context,
  value: unknown,
  path: string,
  vocabulary: readonly string[],
) =>
  list(ctx, value, path, vocabulary.length, (entry, entryPath) =>
    oneOf(ctx, entry, entryPath, vocabulary),
  );

function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

function instant(ctx: Context, value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  const time = typeof value === 'string' && INSTANT.test(value) ? Date.parse(value) : NaN;
  // Date.parse rolls 30 February over into March: the calendar date must exist as written.
  const exists = typeof value === 'string' && isCalendarDate(value.slice(0, 10));
  if (Number.isNaN(time) || !exists)
    return add(ctx, path, 'instant', `${path} must be an ISO 8601 instant with a zone offset`);
  return time;
}

function range(ctx: Context, value: Fields, path: string, [min, max]: [number, number]): void {
  const atLeast = integer(ctx, value.atLeast, at(path, 'atLeast'), min, max);
  const atMost = integer(ctx, value.atMost, at(path, 'atMost'), min, max);
  if (value.atLeast === undefined && value.atMost === undefined)
    add(ctx, nameOf(path), 'atLeastOrAtMost', `${nameOf(path)} needs atLeast or atMost`);
  if (atLeast !== undefined && atMost !== undefined && atLeast > atMost)
    add(
      ctx,
      at(path, 'atMost'),
      'notBelowAtLeast',
      `${at(path, 'atMost')} must not be below atLeast`,
    );
}

const SELECTOR_KEYS = ['department', 'category', 'brand', 'skus'] as const;
type SelectorKey = (typeof SELECTOR_KEYS)[number] | 'basket';

/** Which one key the selector (or a reward's target, which may be the basket) names. */
function selector(
  ctx: Context,
  value: unknown,
  path: string,
  withBasket = false,
): SelectorKey | undefined {
  const keys: readonly SelectorKey[] = withBasket ? [...SELECTOR_KEYS, 'basket'] : SELECTOR_KEYS;
  const o = fields(ctx, value, path, [], keys);
  if (!o) return undefined;
  const named = keys.filter((key) => Object.hasOwn(o, key));
  // No key of ours beside unknown ones: the unknown ones are already reported.
  const onlyUnknown = named.length === 0 && Object.keys(o).length > 0;
  if (named.length !== 1 && !onlyUnknown)
    return add(ctx, path, 'exactlyOne', `${path} must name exactly one of ${keys.join(', ')}`);
  const [key] = named;
  if (key === undefined) return undefined;
  if (key === 'basket') {
    if (o.basket !== true)
      return add(ctx, at(path, 'basket'), 'true', `${at(path, 'basket')} must be true`);
  } else if (key === 'skus') {
    idList(ctx, o.skus, at(path, 'skus'), RULE_LIMITS.maxSkus);
  } else {
    id(ctx, o[key], at(path, key));
  }
  return key;
}

const RANGE_ONLY = ['atLeast', 'atMost'];
const LIST_VOCABULARIES: Record<ListFact, readonly string[]> = {
  lifecycle: LIFECYCLE_SEGMENTS,
  tier: TIERS,
  ageBand: AGE_BANDS,
  incomeBand: INCOME_BANDS,
};

function includes<T extends string>(vocabulary: readonly T[], value: string): value is T {
  return (vocabulary as readonly string[]).includes(value);
}

function condition(ctx: Context, value: Fields, path: string): void {
  ctx.conditions += 1;
  if (ctx.conditions > RULE_LIMITS.maxConditions) {
    if (ctx.conditions === RULE_LIMITS.maxConditions + 1)
      add(
        ctx,
        'audience',
        'maxConditions',
        `audience has more than ${RULE_LIMITS.maxConditions} conditions`,
      );
    return;
  }
  const fact = discriminator(ctx, value, path, 'fact', CONDITION_FACTS);
  if (fact === undefined) return;
  const has = (required: string[], optional: string[] = []) =>
    fields(ctx, value, path, ['fact', ...required], optional);
  const days = (key: string, min: number, max: number) =>
    integer(ctx, value[key], at(path, key), min, max);

  switch (fact) {
    case 'spend':
    case 'visits':
      has(['window'], RANGE_ONLY);
      oneOf(ctx, value.window, at(path, 'window'), WINDOWS);
      return range(ctx, value, path, RANGE_LIMITS[fact]);
    case 'averageBasket':
    case 'daysSinceLastVisit':
    case 'rScore':
    case 'fScore':
    case 'mScore':
    case 'householdSize':
      has([], RANGE_ONLY);
      return range(ctx, value, path, RANGE_LIMITS[fact]);
    case 'productSpend':
    case 'productUnits':
      has(['item'], RANGE_ONLY);
      selector(ctx, value.item, at(path, 'item'));
      return range(ctx, value, path, RANGE_LIMITS[fact]);
    case 'bought':
      has(['item', 'withinDays']);
      selector(ctx, value.item, at(path, 'item'));
      days('withinDays', 1, RULE_LIMITS.maxDays);
      return;
    case 'boughtNotBought':
      has(['bought', 'notBought', 'withinDays']);
      selector(ctx, value.bought, at(path, 'bought'));
      selector(ctx, value.notBought, at(path, 'notBought'));
      days('withinDays', 1, RULE_LIMITS.maxDays);
      return;
    case 'crossSell': {
      has(['category', 'minLift', 'withinDays']);
      id(ctx, value.category, at(path, 'category'));
      const minLift = value.minLift;
      if (
        typeof minLift !== 'number' ||
        !Number.isFinite(minLift) ||
        minLift < 1 ||
        minLift > RULE_LIMITS.maxLift
      )
        add(
          ctx,
          at(path, 'minLift'),
          'range',
          `${at(path, 'minLift')} must be a number between 1 and ${RULE_LIMITS.maxLift}`,
        );
      days('withinDays', 1, RULE_LIMITS.maxDays);
      return;
    }
    case 'homeStore':
    case 'region':
      has(['in']);
      return idList(ctx, value.in, at(path, 'in'), RULE_LIMITS.maxListEntries);
    case 'lifecycle':
    case 'tier':
    case 'ageBand':
    case 'incomeBand':
      has(['in']);
      return vocabularyList(ctx, value.in, at(path, 'in'), LIST_VOCABULARIES[fact]);
    case 'birthday':
    case 'enrolmentAnniversary':
      has(['withinDays']);
      days('withinDays', 0, RULE_LIMITS.maxYearDays);
      return;
    case 'inList':
      has(['listId']);
      if (
        value.listId !== undefined &&
        !(typeof value.listId === 'string' && UUID.test(value.listId))
      )
        add(ctx, at(path, 'listId'), 'uuid', `${at(path, 'listId')} must be a UUID`);
      return;
    case 'consent':
      has(['purpose']);
      oneOf(ctx, value.purpose, at(path, 'purpose'), ['personalisedOffers']);
      return;
    default:
      return assertNever(fact);
  }
}

function audienceNode(ctx: Context, value: unknown, path: string, depth: number): void {
  if (full(ctx)) return;
  if (depth > RULE_LIMITS.maxDepth)
    return add(ctx, path, 'maxDepth', `${path} nests deeper than ${RULE_LIMITS.maxDepth} levels`);
  if (!isFields(value)) return add(ctx, path, 'object', `${path} must be an object`);
  const operator = (['all', 'any', 'not'] as const).find((key) => Object.hasOwn(value, key));
  if (operator === undefined) return condition(ctx, value, path);
  fields(ctx, value, path, [operator]);
  const child = at(path, operator);
  if (operator === 'not') return audienceNode(ctx, value.not, child, depth + 1);
  list(ctx, value[operator], child, RULE_LIMITS.maxConditions, (entry, entryPath) =>
    audienceNode(ctx, entry, entryPath, depth + 1),
  );
}

function trigger(ctx: Context, value: unknown, path: string): Rule['trigger']['kind'] | undefined {
  if (!isFields(value)) return add(ctx, path, 'object', `${path} must be an object`);
  const kind = discriminator(ctx, value, path, 'kind', TRIGGER_KINDS);
  if (kind === undefined) return undefined;
  const has = (required: string[], optional: string[] = []) =>
    fields(ctx, value, path, ['kind', ...required], optional);
  switch (kind) {
    case 'profileChange':
      has([]);
      break;
    case 'schedule':
      has(['cron', 'timeZone']);
      cron(ctx, value.cron, at(path, 'cron'));
      timeZone(ctx, value.timeZone, at(path, 'timeZone'));
      break;
    case 'birthday':
    case 'enrolmentAnniversary':
      has(['daysBefore']);
      integer(ctx, value.daysBefore, at(path, 'daysBefore'), 0, 90);
      break;
    case 'lapse':
      has(['days']);
      integer(ctx, value.days, at(path, 'days'), 1, RULE_LIMITS.maxDays);
      break;
    case 'lifecycleTransition':
      has(['to'], ['from']);
      vocabularyList(ctx, value.to, at(path, 'to'), LIFECYCLE_SEGMENTS);
      vocabularyList(ctx, value.from, at(path, 'from'), LIFECYCLE_SEGMENTS);
      break;
  }
  return kind;
}

// minute, hour, day of month, month, day of week (0 and 7 are Sunday). Numbers only: no names.
const CRON_BOUNDS: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const CRON_PART = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/;

/** A 5-field cron expression: each field `*`, `n`, `a-b`, optionally `/step`, comma lists. */
export function isCronExpression(cron: string): boolean {
  const cronFields = cron.split(' ');
  return (
    cronFields.length === 5 &&
    cronFields.every((field, i) => {
      const [min, max] = CRON_BOUNDS[i];
      return field.split(',').every((part) => {
        const match = CRON_PART.exec(part);
        if (!match) return false;
        const [, , from, to, step] = match;
        const low = from === undefined ? min : Number(from);
        // `*` and `n/step` run to the field's end.
        const high = to !== undefined ? Number(to) : from === undefined || step ? max : low;
        return (
          low >= min && high <= max && low <= high && (step === undefined || Number(step) >= 1)
        );
      });
    })
  );
}

function cron(ctx: Context, value: unknown, path: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > 100 || !isCronExpression(value))
    add(ctx, path, 'cron', `${path} must be a 5-field cron expression (fields split by one space)`);
}

export function isTimeZone(name: string): boolean {
  if (name.length > 64 || !TIME_ZONE.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function timeZone(ctx: Context, value: unknown, path: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !isTimeZone(value))
    add(ctx, path, 'timeZone', `${path} must be an IANA time zone such as Europe/London`);
}

const BENEFIT_FIELDS: Record<(typeof REWARD_KINDS)[number], string[]> = {
  percentOff: ['percent'],
  amountOff: ['amountCents'],
  fixedPrice: ['priceCents'],
  buyXGetY: ['buy', 'get', 'free'],
  freeItem: ['sku'],
  pointsMultiplier: ['multiplier'],
  bonusPoints: ['points'],
};

function reward(ctx: Context, value: unknown, path: string): void {
  if (!isFields(value)) return add(ctx, path, 'object', `${path} must be an object`);
  const kind = discriminator(ctx, value, path, 'kind', REWARD_KINDS);
  if (kind === undefined) return;
  const optional = ['minBasketCents', 'maxDiscountCents'];
  fields(ctx, value, path, ['kind', 'target', ...BENEFIT_FIELDS[kind]], optional);
  const field = (key: string) => at(path, key);
  const cents = (key: string, min: number) =>
    integer(ctx, value[key], field(key), min, RULE_LIMITS.maxCents);
  const target = selector(ctx, value.target, field('target'), true);
  cents('minBasketCents', 0);
  cents('maxDiscountCents', 1);
  switch (kind) {
    case 'percentOff':
      integer(ctx, value.percent, field('percent'), 1, 100);
      break;
    case 'amountOff':
      cents('amountCents', 1);
      break;
    case 'fixedPrice':
      cents('priceCents', 0);
      break;
    case 'buyXGetY':
      integer(ctx, value.buy, field('buy'), 1, RULE_LIMITS.maxBuyGet);
      integer(ctx, value.get, field('get'), 1, RULE_LIMITS.maxBuyGet);
      oneOf(ctx, value.free, field('free'), FREE_CHOICES);
      break;
    case 'freeItem':
      id(ctx, value.sku, field('sku'));
      break;
    case 'pointsMultiplier':
      integer(ctx, value.multiplier, field('multiplier'), 2, 10);
      break;
    case 'bonusPoints':
      integer(ctx, value.points, field('points'), 1, 100_000);
      break;
  }
  if (target === 'basket' && includes(ITEM_ONLY_REWARDS, kind))
    add(ctx, field('target'), 'notBasket', `a ${kind} reward prices units of items, not a basket`);
  if (target !== undefined && target !== 'basket' && kind === 'freeItem')
    add(ctx, field('target'), 'basketOnly', 'a freeItem reward is given with a basket');
  if (
    value.maxDiscountCents !== undefined &&
    (kind === 'amountOff' || includes(POINTS_REWARDS, kind))
  )
    add(
      ctx,
      field('maxDiscountCents'),
      'notForReward',
      `a ${kind} reward takes no maxDiscountCents`,
    );
}

function ruleFields(ctx: Context, value: unknown): void {
  if (!isFields(value)) return add(ctx, nameOf(''), 'object', `${nameOf('')} must be an object`);
  const o = fields(ctx, value, '', RULE_REQUIRED_FIELDS, RULE_OPTIONAL_FIELDS);
  if (!o) return;
  if (o.schemaVersion !== undefined && o.schemaVersion !== RULE_SCHEMA_VERSION)
    add(ctx, 'schemaVersion', 'schemaVersion', `schemaVersion must be ${RULE_SCHEMA_VERSION}`);
  id(ctx, o.id, 'id');
  text(ctx, o.name, 'name', RULE_LIMITS.maxNameLength);
  const kind = o.trigger === undefined ? undefined : trigger(ctx, o.trigger, 'trigger');
  if (o.reward !== undefined) reward(ctx, o.reward, 'reward');
  if (o.audience === 'everyone') {
    if (kind !== undefined && includes(PERSONAL_TRIGGERS, kind))
      add(
        ctx,
        'audience',
        'personalisedTrigger',
        `a ${kind} trigger is personalised: give an audience other than everyone`,
      );
  } else if (o.audience !== undefined) {
    audienceNode(ctx, o.audience, 'audience', 1);
  }
  const validity =
    o.validity === undefined ? undefined : fields(ctx, o.validity, 'validity', ['from', 'until']);
  if (validity) {
    const from = instant(ctx, validity.from, 'validity.from');
    const until = instant(ctx, validity.until, 'validity.until');
    if (from !== undefined && until !== undefined && from >= until)
      add(ctx, 'validity.until', 'afterFrom', 'validity.until must be after validity.from');
  }
  integer(ctx, o.offerValidDays, 'offerValidDays', 1, RULE_LIMITS.maxOfferValidDays);
  const cap =
    o.perHouseholdCap === undefined
      ? undefined
      : fields(ctx, o.perHouseholdCap, 'perHouseholdCap', ['count', 'period']);
  if (cap) {
    integer(ctx, cap.count, 'perHouseholdCap.count', 1, 1000);
    oneOf(ctx, cap.period, 'perHouseholdCap.period', CAP_PERIODS);
  }
  integer(ctx, o.usesPerOffer, 'usesPerOffer', 1, RULE_LIMITS.maxUsesPerOffer);
  integer(ctx, o.maxOffersIssued, 'maxOffersIssued', 1, RULE_LIMITS.maxCount);
  integer(ctx, o.budgetCents, 'budgetCents', 1, RULE_LIMITS.maxCents);
  idList(ctx, o.stores, 'stores', RULE_LIMITS.maxStores);
  integer(ctx, o.priority, 'priority', 0, RULE_LIMITS.maxPriority);
  oneOf(ctx, o.stacking, 'stacking', STACKING_MODES);
  id(ctx, o.stackingGroup, 'stackingGroup');
  if (o.clipRequired !== undefined && typeof o.clipRequired !== 'boolean')
    add(ctx, 'clipRequired', 'boolean', 'clipRequired must be true or false');
  const share = o.controlShare;
  if (
    share !== undefined &&
    (typeof share !== 'number' || !(share >= 0 && share <= RULE_LIMITS.maxControlShare))
  )
    add(
      ctx,
      'controlShare',
      'range',
      `controlShare must be a number between 0 and ${RULE_LIMITS.maxControlShare}`,
    );
}

/**
 * A reward alone, judged as in a rule (an offer carries its rule's reward): the reward, or every
 * violation of it with its path from the reward.
 */
export function parseReward(
  json: unknown,
): { ok: true; reward: Reward } | { ok: false; violations: Violation[] } {
  const ctx: Context = { violations: [], conditions: 0 };
  reward(ctx, json, '');
  if (ctx.violations.length > 0) return { ok: false, violations: ctx.violations };
  return { ok: true, reward: structuredClone(json) as Reward };
}

/**
 * The rule in `json` with its defaults filled in (`usesPerOffer` 1, `controlShare` 0), or every
 * violation of it, a payment card number in any string first.
 */
export function parseRule(json: unknown, options: ParseRuleOptions): ParsedRule {
  const ctx: Context = { violations: [], conditions: 0 };
  for (const field of findPaymentCardNumbers(json, options.loyaltyCardPrefix))
    add(
      ctx,
      field,
      'noPaymentCardData',
      `${field} holds a payment card number; card data must never be sent`,
    );
  ruleFields(ctx, json);
  if (ctx.violations.length > 0) return { ok: false, violations: ctx.violations };
  const rule = structuredClone(json) as Rule;
  return {
    ok: true,
    rule: { ...rule, usesPerOffer: rule.usesPerOffer ?? 1, controlShare: rule.controlShare ?? 0 },
  };
}
