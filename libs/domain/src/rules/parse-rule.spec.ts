import fc from 'fast-check';
import { luhnCheckDigit } from '../card-number';
import { arbitraryRule } from './arbitrary-rule';
import { ParsedRule, isCronExpression, parseReward, parseRule } from './parse-rule';

const options = { loyaltyCardPrefix: '98' };
const parse = (json: unknown): ParsedRule => parseRule(json, options);

type Json = Record<string, unknown>;

function makeRule(overrides: Json = {}): Json {
  return {
    schemaVersion: 1,
    id: 'spring-produce',
    name: 'Spring produce for regulars',
    trigger: { kind: 'profileChange' },
    audience: {
      all: [
        { fact: 'spend', window: '13w', atLeast: 5000 },
        { fact: 'tier', in: ['gold', 'silver'] },
        { fact: 'bought', item: { category: 'fruit' }, withinDays: 30 },
      ],
    },
    reward: { kind: 'percentOff', percent: 10, target: { department: 'produce' } },
    validity: { from: '2026-12-01T00:00:00Z', until: '2027-01-01T00:00:00Z' },
    offerValidDays: 14,
    priority: 10,
    stacking: 'stackable',
    ...overrides,
  };
}

/** The rule with the value at `path` (e.g. `audience.all[2].withinDays`) set, or removed. */
function withValue(path: string, value: unknown, rule: Json = makeRule()): Json {
  const copy = structuredClone(rule);
  const keys = path.split(/\.|\[(\d+)\]/).filter((key) => key !== undefined && key !== '');
  const last = keys.pop() as string;
  const parent = keys.reduce<Json>((node, key) => node[key] as Json, copy);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

function violationsOf(json: unknown) {
  const parsed = parse(json);
  return parsed.ok ? [] : parsed.violations;
}

// A Luhn-valid payment card number: 16 digits not starting with the loyalty prefix.
const PAN = `411111111111111${luhnCheckDigit('411111111111111')}`;
const LOYALTY_CARD = `98${'1'.repeat(13)}${luhnCheckDigit(`98${'1'.repeat(13)}`)}`;

describe('parseRule', () => {
  it('accepts a valid rule and fills in the defaults', () => {
    expect(parse(makeRule())).toEqual({
      ok: true,
      rule: { ...makeRule(), usesPerOffer: 1, controlShare: 0 },
    });
  });

  it.each([
    ['a null', null, 'the rule', 'object'],
    ['an array', [], 'the rule', 'object'],
    ['a string', 'rule', 'the rule', 'object'],
  ])('refuses %s as the rule', (_, json, field, rule) => {
    expect(violationsOf(json)).toEqual([expect.objectContaining({ field, rule })]);
  });

  const SCHEDULE = { kind: 'schedule', cron: '0 8 * * 1', timeZone: 'Europe/London' };
  const ANY_EMPTY = { any: [] };

  it.each([
    ['schemaVersion', 2, 'schemaVersion', 'schemaVersion'],
    ['id', '', 'id', 'length'],
    ['id', 'x'.repeat(65), 'id', 'length'],
    ['id', 'spring\u0000produce', 'id', 'noControlCharacters'],
    ['name', 42, 'name', 'string'],
    ['name', undefined, 'name', 'required'],
    ['name', 'n'.repeat(201), 'name', 'length'],
    ['colour', 'green', 'colour', 'unknownKey'],
    ['trigger', 'daily', 'trigger', 'object'],
    ['trigger.kind', 'weekly', 'trigger.kind', 'oneOf'],
    ['trigger.kind', undefined, 'trigger.kind', 'required'],
    ['trigger.when', 'now', 'trigger.when', 'unknownKey'],
    ['trigger', { ...SCHEDULE, cron: '61 8 * * 1' }, 'trigger.cron', 'cron'],
    ['trigger', { ...SCHEDULE, cron: '0 8 * *' }, 'trigger.cron', 'cron'],
    ['trigger', { ...SCHEDULE, cron: '0 8 * * MON' }, 'trigger.cron', 'cron'],
    ['trigger', { ...SCHEDULE, timeZone: 'Mars/Olympus_Mons' }, 'trigger.timeZone', 'timeZone'],
    ['trigger', { kind: 'schedule', cron: '0 8 * * 1' }, 'trigger.timeZone', 'required'],
    ['trigger', { kind: 'birthday', daysBefore: 91 }, 'trigger.daysBefore', 'range'],
    ['trigger', { kind: 'enrolmentAnniversary', daysBefore: -1 }, 'trigger.daysBefore', 'range'],
    ['trigger', { kind: 'lapse', days: 0 }, 'trigger.days', 'range'],
    ['trigger', { kind: 'lifecycleTransition', to: [] }, 'trigger.to', 'notEmpty'],
    ['trigger', { kind: 'lifecycleTransition', to: ['gone'] }, 'trigger.to[0]', 'oneOf'],
    [
      'trigger',
      { kind: 'lifecycleTransition', to: ['lapsed'], from: 'x' },
      'trigger.from',
      'array',
    ],
    ['audience', 'nobody', 'audience', 'object'],
    ['audience', { all: [] }, 'audience.all', 'notEmpty'],
    ['audience', ANY_EMPTY, 'audience.any', 'notEmpty'],
    ['audience', { not: ANY_EMPTY }, 'audience.not.any', 'notEmpty'],
    ['audience', { all: [{ fact: 'tier', in: ['gold'] }], any: [] }, 'audience.any', 'unknownKey'],
    ['audience.all[0].fact', 'spent', 'audience.all[0].fact', 'oneOf'],
    ['audience.all[0].fact', undefined, 'audience.all[0].fact', 'required'],
    ['audience.all[0].window', '8w', 'audience.all[0].window', 'oneOf'],
    ['audience.all[0].window', undefined, 'audience.all[0].window', 'required'],
    ['audience.all[0].atLeast', -1, 'audience.all[0].atLeast', 'range'],
    ['audience.all[0].atLeast', 49.5, 'audience.all[0].atLeast', 'integer'],
    ['audience.all[0].atLeast', undefined, 'audience.all[0]', 'atLeastOrAtMost'],
    ['audience.all[0].atMost', 4999, 'audience.all[0].atMost', 'notBelowAtLeast'],
    ['audience.all[0].days', 3, 'audience.all[0].days', 'unknownKey'],
    ['audience.all[1].in', [], 'audience.all[1].in', 'notEmpty'],
    ['audience.all[1].in', ['platinum'], 'audience.all[1].in[0]', 'oneOf'],
    ['audience.all[2].withinDays', 0, 'audience.all[2].withinDays', 'range'],
    ['audience.all[2].withinDays', 731, 'audience.all[2].withinDays', 'range'],
    ['audience.all[2].item', {}, 'audience.all[2].item', 'exactlyOne'],
    [
      'audience.all[2].item',
      { category: 'fruit', brand: 'acme' },
      'audience.all[2].item',
      'exactlyOne',
    ],
    ['audience.all[2].item', { basket: true }, 'audience.all[2].item.basket', 'unknownKey'],
    ['audience.all[2].item', { skus: [] }, 'audience.all[2].item.skus', 'notEmpty'],
    ['audience.all[2].item.category', 'c'.repeat(65), 'audience.all[2].item.category', 'length'],
    ['audience.all[0]', { fact: 'rScore', atLeast: 6 }, 'audience.all[0].atLeast', 'range'],
    ['audience.all[0]', { fact: 'householdSize', atMost: 10 }, 'audience.all[0].atMost', 'range'],
    ['audience.all[0]', { fact: 'averageBasket' }, 'audience.all[0]', 'atLeastOrAtMost'],
    ['audience.all[0]', { fact: 'productUnits', atLeast: 1 }, 'audience.all[0].item', 'required'],
    ['audience.all[0]', { fact: 'ageBand', in: ['17-'] }, 'audience.all[0].in[0]', 'oneOf'],
    ['audience.all[0]', { fact: 'incomeBand', in: 'high' }, 'audience.all[0].in', 'array'],
    ['audience.all[0]', { fact: 'homeStore', in: [7] }, 'audience.all[0].in[0]', 'string'],
    [
      'audience.all[0]',
      { fact: 'birthday', withinDays: 367 },
      'audience.all[0].withinDays',
      'range',
    ],
    ['audience.all[0]', { fact: 'inList', listId: 'summer' }, 'audience.all[0].listId', 'uuid'],
    ['audience.all[0]', { fact: 'consent', purpose: 'email' }, 'audience.all[0].purpose', 'oneOf'],
    [
      'audience.all[0]',
      {
        fact: 'boughtNotBought',
        bought: { brand: 'acme' },
        notBought: { brand: '' },
        withinDays: 7,
      },
      'audience.all[0].notBought.brand',
      'length',
    ],
    [
      'audience',
      { fact: 'crossSell', category: 'cheese', minLift: 0.9, withinDays: 30 },
      'audience.minLift',
      'range',
    ],
    [
      'audience',
      { fact: 'crossSell', category: 'cheese', minLift: '2', withinDays: 30 },
      'audience.minLift',
      'range',
    ],
    [
      'audience',
      { fact: 'crossSell', category: 'cheese', minLift: 2, withinDays: 0 },
      'audience.withinDays',
      'range',
    ],
    [
      'audience',
      { fact: 'crossSell', category: '', minLift: 2, withinDays: 7 },
      'audience.category',
      'length',
    ],
    ['audience', { fact: 'crossSell', minLift: 2, withinDays: 7 }, 'audience.category', 'required'],
    ['reward.kind', 'cashback', 'reward.kind', 'oneOf'],
    ['reward.percent', 0, 'reward.percent', 'range'],
    ['reward.percent', 101, 'reward.percent', 'range'],
    ['reward.percent', undefined, 'reward.percent', 'required'],
    ['reward.target', { basket: false }, 'reward.target.basket', 'true'],
    ['reward.minBasketCents', -1, 'reward.minBasketCents', 'range'],
    ['reward.maxDiscountCents', 0, 'reward.maxDiscountCents', 'range'],
    ['validity.from', '2026-12-01', 'validity.from', 'instant'],
    ['validity.from', '2026-02-30T00:00:00Z', 'validity.from', 'instant'],
    ['validity.until', '2026-11-30T23:59:59Z', 'validity.until', 'afterFrom'],
    ['validity.until', '2026-12-01T00:00:00Z', 'validity.until', 'afterFrom'],
    ['validity.since', '2026-12-01T00:00:00Z', 'validity.since', 'unknownKey'],
    ['offerValidDays', 0, 'offerValidDays', 'range'],
    ['offerValidDays', 367, 'offerValidDays', 'range'],
    ['perHouseholdCap', { count: 1, period: 'fortnight' }, 'perHouseholdCap.period', 'oneOf'],
    ['perHouseholdCap', { count: 0, period: 'week' }, 'perHouseholdCap.count', 'range'],
    ['usesPerOffer', 0, 'usesPerOffer', 'range'],
    ['maxOffersIssued', 0, 'maxOffersIssued', 'range'],
    ['budgetCents', '100', 'budgetCents', 'integer'],
    ['stores', [], 'stores', 'notEmpty'],
    ['stores', ['s1', ''], 'stores[1]', 'length'],
    ['priority', 1001, 'priority', 'range'],
    ['stacking', 'always', 'stacking', 'oneOf'],
    ['stackingGroup', 'g'.repeat(65), 'stackingGroup', 'length'],
    ['clipRequired', 'yes', 'clipRequired', 'boolean'],
    ['controlShare', 0.51, 'controlShare', 'range'],
    ['controlShare', '0.1', 'controlShare', 'range'],
  ])('%s = %j is refused at %s (%s)', (path, value, field, rule) => {
    expect(violationsOf(withValue(path, value))).toEqual([
      expect.objectContaining({ field, rule }),
    ]);
  });

  it.each([
    ['birthday', { kind: 'birthday', daysBefore: 7 }],
    ['enrolmentAnniversary', { kind: 'enrolmentAnniversary', daysBefore: 0 }],
    ['lapse', { kind: 'lapse', days: 45 }],
    ['lifecycleTransition', { kind: 'lifecycleTransition', to: ['lapsed'] }],
  ])('refuses a %s trigger for everyone: it is personalised', (_, trigger) => {
    expect(violationsOf(makeRule({ trigger, audience: 'everyone' }))).toEqual([
      expect.objectContaining({ field: 'audience', rule: 'personalisedTrigger' }),
    ]);
  });

  it.each([
    ['profileChange', { kind: 'profileChange' }],
    ['schedule', SCHEDULE],
    ['schedule with steps, ranges and lists', { ...SCHEDULE, cron: '*/15 8-20/2 1,15 1-12 0-7' }],
    ['birthday', { kind: 'birthday', daysBefore: 7 }],
    ['enrolmentAnniversary', { kind: 'enrolmentAnniversary', daysBefore: 0 }],
    ['lapse', { kind: 'lapse', days: 45 }],
    ['lifecycleTransition', { kind: 'lifecycleTransition', to: ['won_back'], from: ['lapsed'] }],
  ])('accepts a %s trigger', (_, trigger) => {
    expect(parse(makeRule({ trigger }))).toMatchObject({ ok: true, rule: { trigger } });
  });

  it('accepts everyone for a trigger that does not read the profile', () => {
    expect(parse(makeRule({ trigger: SCHEDULE, audience: 'everyone' })).ok).toBe(true);
  });

  it('accepts a condition of every fact', () => {
    const audience = {
      any: [
        { fact: 'spend', window: '4w', atMost: 100 },
        { fact: 'visits', window: '52w', atLeast: 2, atMost: 10 },
        { fact: 'averageBasket', atLeast: 2500 },
        { fact: 'productSpend', item: { brand: 'acme' }, atLeast: 1000 },
        { fact: 'productUnits', item: { skus: ['5012345678900'] }, atMost: 3 },
        { fact: 'bought', item: { department: 'bakery' }, withinDays: 1 },
        {
          fact: 'boughtNotBought',
          bought: { category: 'pasta' },
          notBought: { category: 'sauce' },
          withinDays: 14,
        },
        { fact: 'crossSell', category: 'cheese', minLift: 1.5, withinDays: 28 },
        { fact: 'daysSinceLastVisit', atLeast: 21 },
        { fact: 'lifecycle', in: ['lapsing', 'lapsed'] },
        { fact: 'rScore', atLeast: 4 },
        { fact: 'fScore', atMost: 2 },
        { fact: 'mScore', atLeast: 1, atMost: 5 },
        { fact: 'tier', in: ['bronze'] },
        { fact: 'homeStore', in: ['store-0042'] },
        { fact: 'region', in: ['north-west'] },
        { fact: 'ageBand', in: ['18-24', '65+'] },
        { fact: 'householdSize', atLeast: 3 },
        { fact: 'incomeBand', in: ['under-20k'] },
        { fact: 'birthday', withinDays: 0 },
        { fact: 'enrolmentAnniversary', withinDays: 366 },
        { fact: 'inList', listId: '6f1c2a3e-9b4d-4c1e-8f2a-1b2c3d4e5f60' },
        { fact: 'consent', purpose: 'personalisedOffers' },
        { not: { fact: 'tier', in: ['gold'] } },
      ],
    };
    expect(parse(makeRule({ audience }))).toMatchObject({ ok: true, rule: { audience } });
  });

  describe('reward definitions', () => {
    const reward = (fields: Json) => ({ target: { basket: true }, ...fields });

    it.each([
      [
        'percentOff on the basket',
        reward({ kind: 'percentOff', percent: 100, maxDiscountCents: 2000 }),
      ],
      [
        'amountOff on the basket',
        reward({ kind: 'amountOff', amountCents: 500, minBasketCents: 4000 }),
      ],
      ['amountOff on a brand', { kind: 'amountOff', amountCents: 100, target: { brand: 'acme' } }],
      [
        'fixedPrice on SKUs',
        { kind: 'fixedPrice', priceCents: 100, target: { skus: ['sku-1', 'sku-2'] } },
      ],
      [
        'buyXGetY on a category',
        { kind: 'buyXGetY', buy: 2, get: 1, free: 'cheapest', target: { category: 'crisps' } },
      ],
      [
        'freeItem with a basket',
        reward({ kind: 'freeItem', sku: 'sku-croissant', minBasketCents: 2000 }),
      ],
      [
        'pointsMultiplier on a department',
        { kind: 'pointsMultiplier', multiplier: 2, target: { department: 'wine' } },
      ],
      ['bonusPoints on the basket', reward({ kind: 'bonusPoints', points: 100_000 })],
    ])('accepts %s', (_, value) => {
      expect(parse(makeRule({ reward: value }))).toMatchObject({
        ok: true,
        rule: { reward: value },
      });
    });

    it.each([
      [
        'fixedPrice on the basket',
        reward({ kind: 'fixedPrice', priceCents: 100 }),
        'reward.target',
        'notBasket',
      ],
      [
        'buyXGetY on the basket',
        reward({ kind: 'buyXGetY', buy: 2, get: 1, free: 'cheapest' }),
        'reward.target',
        'notBasket',
      ],
      [
        'freeItem on a department',
        { kind: 'freeItem', sku: 'sku-1', target: { department: 'bakery' } },
        'reward.target',
        'basketOnly',
      ],
      [
        'a cap on amountOff',
        reward({ kind: 'amountOff', amountCents: 500, maxDiscountCents: 400 }),
        'reward.maxDiscountCents',
        'notForReward',
      ],
      [
        'a cap on bonusPoints',
        reward({ kind: 'bonusPoints', points: 10, maxDiscountCents: 400 }),
        'reward.maxDiscountCents',
        'notForReward',
      ],
      [
        'a cap on pointsMultiplier',
        reward({ kind: 'pointsMultiplier', multiplier: 3, maxDiscountCents: 1 }),
        'reward.maxDiscountCents',
        'notForReward',
      ],
      [
        'pointsMultiplier 1',
        reward({ kind: 'pointsMultiplier', multiplier: 1 }),
        'reward.multiplier',
        'range',
      ],
      [
        'pointsMultiplier 11',
        reward({ kind: 'pointsMultiplier', multiplier: 11 }),
        'reward.multiplier',
        'range',
      ],
      ['bonusPoints 0', reward({ kind: 'bonusPoints', points: 0 }), 'reward.points', 'range'],
      ['amountOff 0', reward({ kind: 'amountOff', amountCents: 0 }), 'reward.amountCents', 'range'],
      [
        'fixedPrice below 0',
        { kind: 'fixedPrice', priceCents: -1, target: { brand: 'acme' } },
        'reward.priceCents',
        'range',
      ],
      [
        'buyXGetY buying 0',
        { kind: 'buyXGetY', buy: 0, get: 1, free: 'cheapest', target: { brand: 'acme' } },
        'reward.buy',
        'range',
      ],
      [
        'buyXGetY free at random',
        { kind: 'buyXGetY', buy: 1, get: 1, free: 'random', target: { brand: 'acme' } },
        'reward.free',
        'oneOf',
      ],
      ['freeItem without a sku', reward({ kind: 'freeItem' }), 'reward.sku', 'required'],
      [
        'a percent on amountOff',
        reward({ kind: 'amountOff', amountCents: 5, percent: 5 }),
        'reward.percent',
        'unknownKey',
      ],
      [
        'a target of two things',
        { kind: 'percentOff', percent: 5, target: { basket: true, brand: 'acme' } },
        'reward.target',
        'exactlyOne',
      ],
      ['no target', { kind: 'percentOff', percent: 5 }, 'reward.target', 'required'],
    ])('refuses %s', (_, value, field, rule) => {
      expect(violationsOf(makeRule({ reward: value }))).toEqual([
        expect.objectContaining({ field, rule }),
      ]);
    });
  });

  describe('bounds', () => {
    const spend = { fact: 'spend', window: '4w', atLeast: 1 };
    const nested = (levels: number): unknown =>
      levels === 1 ? spend : { not: nested(levels - 1) };

    it('accepts an audience 8 levels deep and refuses one 9 levels deep', () => {
      expect(parse(makeRule({ audience: nested(8) })).ok).toBe(true);
      expect(violationsOf(makeRule({ audience: nested(9) }))).toEqual([
        expect.objectContaining({ field: `audience${'.not'.repeat(8)}`, rule: 'maxDepth' }),
      ]);
    });

    it('accepts 64 conditions and refuses 65, once', () => {
      const conditions = (count: number) => Array.from({ length: count }, () => spend);
      expect(parse(makeRule({ audience: { all: conditions(64) } })).ok).toBe(true);
      expect(violationsOf(makeRule({ audience: { all: conditions(65) } }))).toEqual([
        expect.objectContaining({ field: 'audience.all', rule: 'maxItems' }),
      ]);
      const split = { all: [{ all: conditions(40) }, { any: conditions(40) }] };
      expect(violationsOf(makeRule({ audience: split }))).toEqual([
        expect.objectContaining({ field: 'audience', rule: 'maxConditions' }),
      ]);
    });

    it('reports at most 50 violations', () => {
      const junk = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`extra${i}`, i]));
      expect(violationsOf(makeRule(junk))).toHaveLength(50);
    });

    it('does not overflow the stack on a deep document', () => {
      let deep: unknown = spend;
      for (let i = 0; i < 10_000; i++) deep = { not: deep };
      expect(violationsOf(makeRule({ audience: deep }))).toEqual([
        expect.objectContaining({ rule: 'maxDepth' }),
      ]);
    });
  });

  describe('unknown keys', () => {
    it('names an unknown key that looks like a field', () => {
      expect(violationsOf(withValue('audience.all[1].colour', 'red'))).toEqual([
        expect.objectContaining({ field: 'audience.all[1].colour', rule: 'unknownKey' }),
      ]);
    });

    it('does not repeat a key that does not look like a field', () => {
      const violations = violationsOf(withValue(`reward.${PAN}`, 1));
      expect(violations).toEqual([
        expect.objectContaining({ field: 'reward', rule: 'unknownKey' }),
      ]);
      expect(JSON.stringify(violations)).not.toContain(PAN);
    });
  });

  describe('payment card numbers', () => {
    it.each([
      ['name', `Card ${PAN}`],
      ['name', `Card ${PAN.replace(/(\d{4})(?=\d)/g, '$1 ')}`],
      ['audience.all[2].item.category', PAN],
      ['stores[0]', PAN],
    ])('refuses one in %s, never echoing it', (path, value) => {
      const json = path === 'stores[0]' ? makeRule({ stores: [value] }) : withValue(path, value);
      const violations = violationsOf(json);
      expect(violations).toContainEqual(
        expect.objectContaining({ field: path, rule: 'noPaymentCardData' }),
      );
      expect(JSON.stringify(violations)).not.toContain(PAN.slice(4, 12));
    });

    it('accepts one of our loyalty card numbers', () => {
      expect(parse(withValue('name', `Card ${LOYALTY_CARD}`)).ok).toBe(true);
    });
  });

  it('parses every generated rule back to itself', () => {
    fc.assert(
      fc.property(arbitraryRule(), (rule) => {
        expect(parse(JSON.parse(JSON.stringify(rule)))).toEqual({ ok: true, rule });
      }),
      { numRuns: 500 },
    );
  });
});

describe('isCronExpression', () => {
  it.each([
    ['* * * * *', true],
    ['0 0 1 1 0', true],
    ['59 23 31 12 7', true],
    ['5/10 * * * *', true],
    ['0-59/5 0,12 * * 1-5', true],
    ['60 * * * *', false],
    ['* 24 * * *', false],
    ['* * 0 * *', false],
    ['* * * 13 *', false],
    ['* * * * 8', false],
    ['10-5 * * * *', false],
    ['*/0 * * * *', false],
    ['* * * * * *', false],
    ['*  * * * *', false],
    ['', false],
  ])('%j is %s', (cron, valid) => {
    expect(isCronExpression(cron)).toBe(valid);
  });
});

describe('parseReward', () => {
  it('accepts a reward as a rule would, and names the bad fields from the reward', () => {
    const reward = { kind: 'percentOff', percent: 10, target: { department: 'produce' } };
    expect(parseReward(reward)).toEqual({ ok: true, reward });
    const bad = parseReward({ kind: 'percentOff', percent: 500, target: { basket: true } });
    expect(bad.ok === false && bad.violations.map((v) => v.field)).toEqual(['percent']);
  });
});
