import { localDate } from '../profile-facts';
import { LIST_ID, makeFacts, makeProduct } from './audience-facts.fixture';
import { audienceReads, evaluateAudience } from './evaluate-audience';
import { AudienceNode, Condition } from './rule-model';

const ASOF = '2026-12-01';

/** The condition's own reason: the root ANDs consent first, the audience second. */
function conditionReason(condition: AudienceNode, facts = makeFacts(), asOf = ASOF) {
  const tree = evaluateAudience(condition, facts, asOf);
  if (!('all' in tree)) throw new Error('a personalised audience is an all of consent and it');
  return tree.all[1];
}

describe('evaluateAudience', () => {
  it.each<[string, Condition, unknown, boolean]>([
    ['spend at its atLeast', { fact: 'spend', window: '13w', atLeast: 7420 }, 7420, true],
    ['spend a cent below atLeast', { fact: 'spend', window: '13w', atLeast: 7421 }, 7420, false],
    ['spend at its atMost', { fact: 'spend', window: '4w', atMost: 4000 }, 4000, true],
    ['spend a cent above atMost', { fact: 'spend', window: '4w', atMost: 3999 }, 4000, false],
    [
      'spend in the 52 weeks',
      { fact: 'spend', window: '52w', atLeast: 1, atMost: 30_000 },
      30_000,
      true,
    ],
    ['visits in the 4 weeks', { fact: 'visits', window: '4w', atLeast: 3 }, 2, false],
    ['visits in the 13 weeks', { fact: 'visits', window: '13w', atLeast: 5 }, 5, true],
    ['the average basket', { fact: 'averageBasket', atLeast: 1500 }, 1500, true],
    ['a score', { fact: 'rScore', atLeast: 4, atMost: 5 }, 4, true],
    ['a score without a visit', { fact: 'mScore', atMost: 5 }, null, false],
    ['days since the last visit', { fact: 'daysSinceLastVisit', atLeast: 10 }, 10, true],
    ['the lifecycle', { fact: 'lifecycle', in: ['active', 'new'] }, 'active', true],
    ['the tier', { fact: 'tier', in: ['gold'] }, 'silver', false],
    ['the home store', { fact: 'homeStore', in: ['store-0042'] }, 'store-0042', true],
    ['the region', { fact: 'region', in: ['south'] }, 'north-west', false],
    ['a known age band', { fact: 'ageBand', in: ['35-44'] }, '35-44', true],
    ['an unknown household size', { fact: 'householdSize', atLeast: 1 }, null, false],
    ['an unknown income band', { fact: 'incomeBand', in: ['under-20k', '20k-40k'] }, null, false],
    ['a list the household is on', { fact: 'inList', listId: LIST_ID }, true, true],
    [
      'a list it is not on',
      { fact: 'inList', listId: '00000000-0000-4000-8000-000000000000' },
      false,
      false,
    ],
    ['consent', { fact: 'consent', purpose: 'personalisedOffers' }, true, true],
    [
      'spend on a category',
      { fact: 'productSpend', item: { category: 'fruit' }, atLeast: 1500 },
      1500,
      true,
    ],
    ['units of a brand', { fact: 'productUnits', item: { brand: 'orchard' }, atMost: 7 }, 8, false],
    [
      'units of SKUs',
      { fact: 'productUnits', item: { skus: ['sku-pear', 'sku-x'] }, atLeast: 2 },
      2,
      true,
    ],
    [
      'spend on a department never bought',
      { fact: 'productSpend', item: { department: 'wine' }, atMost: 0 },
      0,
      true,
    ],
  ])('%s', (_, condition, actual, held) => {
    expect(conditionReason(condition)).toEqual({ ...condition, actual, held });
  });

  it.each<[string, string, number, number, boolean]>([
    ['bought on the day holds within 1 day', '2026-11-01', 1, 0, true],
    ['bought the day before does not hold within 1 day', '2026-11-02', 1, 1, false],
    ['bought 29 days before holds within 30 days', '2026-11-30', 30, 29, true],
    ['bought 30 days before does not', '2026-12-01', 30, 30, false],
  ])('%s', (_, asOf, withinDays, actual, held) => {
    const facts = makeFacts({ products: [makeProduct({ lastBoughtOn: '2026-11-01' })] });
    const condition: Condition = { fact: 'bought', item: { skus: ['sku-apple'] }, withinDays };
    expect(conditionReason(condition, facts, asOf)).toEqual({ ...condition, actual, held });
  });

  it.each<[string, number, { bought: number | null; notBought: number | null }, boolean]>([
    ['bought apples lately, pears long ago', 30, { bought: 11, notBought: 61 }, true],
    ['bought both within the days', 90, { bought: 11, notBought: 61 }, false],
    ['bought neither within the days', 10, { bought: 11, notBought: 61 }, false],
  ])('boughtNotBought: %s', (_, withinDays, actual, held) => {
    const condition: Condition = {
      fact: 'boughtNotBought',
      bought: { skus: ['sku-apple'] },
      notBought: { skus: ['sku-pear'] },
      withinDays,
    };
    expect(conditionReason(condition)).toEqual({ ...condition, actual, held });
  });

  it('boughtNotBought holds when the other item was never bought', () => {
    const condition: Condition = {
      fact: 'boughtNotBought',
      bought: { category: 'fruit' },
      notBought: { department: 'bakery' },
      withinDays: 30,
    };
    expect(conditionReason(condition)).toMatchObject({
      actual: { bought: 11, notBought: null },
      held: true,
    });
  });

  // Fruit (apple) was bought 11 days before ASOF, pear 61; bread never; what goes with cheese:
  // wine (lift 3, never bought), fruit (2.5), bread (2).
  it.each<[string, Partial<Condition>, string, unknown, boolean]>([
    ['fruit goes with cheese', {}, ASOF, { boughtWith: 'fruit', daysSinceBought: null }, true],
    [
      'at its minLift',
      { minLift: 2.5 },
      ASOF,
      { boughtWith: 'fruit', daysSinceBought: null },
      true,
    ],
    [
      'above the lift of what was bought',
      { minLift: 2.6 },
      ASOF,
      { boughtWith: null, daysSinceBought: null },
      false,
    ],
    [
      'fruit bought on the earliest of the days',
      { withinDays: 12 },
      ASOF,
      { boughtWith: 'fruit', daysSinceBought: null },
      true,
    ],
    [
      'fruit bought the day before the earliest',
      { withinDays: 11 },
      ASOF,
      { boughtWith: null, daysSinceBought: null },
      false,
    ],
    [
      'nothing goes with it',
      { category: 'fish' },
      ASOF,
      { boughtWith: null, daysSinceBought: null },
      false,
    ],
  ])('crossSell: %s', (_, overrides, asOf, actual, held) => {
    const condition = {
      fact: 'crossSell',
      category: 'cheese',
      minLift: 2,
      withinDays: 30,
      ...overrides,
    } as Condition;
    expect(conditionReason(condition, makeFacts(), asOf)).toEqual({ ...condition, actual, held });
  });

  it('crossSell does not hold when the category itself was bought within the days', () => {
    const facts = makeFacts();
    const products = [
      ...facts.products,
      makeProduct({
        sku: 'sku-brie',
        department: 'dairy',
        category: 'cheese',
        lastBoughtOn: '2026-11-25',
      }),
    ];
    const condition: Condition = {
      fact: 'crossSell',
      category: 'cheese',
      minLift: 2,
      withinDays: 30,
    };
    expect(conditionReason(condition, { ...facts, products })).toMatchObject({
      actual: { boughtWith: 'fruit', daysSinceBought: 6 },
      held: false,
    });
    expect(conditionReason({ ...condition, withinDays: 6 }, { ...facts, products })).toMatchObject({
      actual: { boughtWith: null, daysSinceBought: 6 },
      held: false,
    });
  });

  it('crossSell counts a product without a category as its department', () => {
    const products = [
      makeProduct({ sku: 'sku-x', department: 'deli', category: null, lastBoughtOn: '2026-11-30' }),
    ];
    const boughtWith = new Map([['cheese', [{ category: 'department:deli', lift: 4 }]]]);
    expect(
      conditionReason(
        { fact: 'crossSell', category: 'cheese', minLift: 2, withinDays: 7 },
        makeFacts({ products, boughtWith }),
      ),
    ).toMatchObject({
      actual: { boughtWith: 'department:deli', daysSinceBought: null },
      held: true,
    });
  });

  it('moves the day counters from factsAsOf to asOf', () => {
    const condition: Condition = { fact: 'daysSinceLastVisit', atLeast: 12 };
    expect(conditionReason(condition, makeFacts(), '2026-12-03')).toMatchObject({
      actual: 12,
      held: true,
    });
  });

  it('reads the day in the programme zone: the same instant is another day in Tokyo', () => {
    const instant = new Date('2026-12-02T20:00:00Z');
    const condition: Condition = { fact: 'daysSinceLastVisit', atLeast: 12 };
    const inLondon = conditionReason(condition, makeFacts(), localDate(instant, 'Europe/London'));
    const inTokyo = conditionReason(condition, makeFacts(), localDate(instant, 'Asia/Tokyo'));
    expect([inLondon, inTokyo]).toMatchObject([
      { actual: 11, held: false },
      { actual: 12, held: true },
    ]);
  });

  it.each<[string, string, number, number, boolean]>([
    ['the day before 28 February in a common year', '2027-02-27', 1, 1, true],
    ['28 February in a common year', '2027-02-28', 0, 0, true],
    ['the day before 28 February in a leap year', '2028-02-27', 1, 2, false],
    ['28 February in a leap year', '2028-02-28', 1, 1, true],
    ['29 February in a leap year', '2028-02-29', 0, 0, true],
    ['1 March in a common year, a leap year ahead', '2027-03-01', 366, 365, true],
  ])('a 29 February birthday on %s', (_, asOf, withinDays, actual, held) => {
    const facts = makeFacts({ birthday: '02-29' });
    const condition: Condition = { fact: 'birthday', withinDays };
    expect(conditionReason(condition, facts, asOf)).toMatchObject({ actual, held });
  });

  it('an unknown birthday never holds', () => {
    const facts = makeFacts({ birthday: null });
    expect(conditionReason({ fact: 'birthday', withinDays: 366 }, facts)).toMatchObject({
      actual: null,
      held: false,
    });
  });

  it.each<[string, string, number | null, boolean]>([
    ['a week before the anniversary', '2026-11-28', 7, true],
    ['on the anniversary', '2026-12-05', 0, true],
    ['on the enrolment day itself, none', '2024-12-05', null, false],
  ])('enrolment anniversary: %s', (_, asOf, actual, held) => {
    const condition: Condition = { fact: 'enrolmentAnniversary', withinDays: 7 };
    expect(conditionReason(condition, makeFacts(), asOf)).toMatchObject({ actual, held });
  });

  describe('the tree', () => {
    const gold: Condition = { fact: 'tier', in: ['gold'] };
    const silver: Condition = { fact: 'tier', in: ['silver'] };
    const noAge: Condition = { fact: 'householdSize', atMost: 9 };

    it.each<[string, AudienceNode, boolean]>([
      ['not inverts a condition', { not: gold }, true],
      ['not inverts an unknown demographic: its condition does not hold', { not: noAge }, true],
      ['any with one holding child holds', { any: [gold, silver] }, true],
      ['any with no holding child does not', { any: [gold, noAge] }, false],
      ['all with every child holding holds', { all: [silver, { not: gold }] }, true],
      ['all with one child failing does not', { all: [silver, gold] }, false],
    ])('%s', (_, audience, held) => {
      expect(conditionReason(audience)).toMatchObject({ held });
    });

    it('evaluates every child, after a failing one too', () => {
      expect(conditionReason({ all: [gold, silver] })).toEqual({
        all: [
          { ...gold, actual: 'silver', held: false },
          { ...silver, actual: 'silver', held: true },
        ],
        held: false,
      });
    });
  });

  describe('consent', () => {
    const spend: Condition = { fact: 'spend', window: '13w', atLeast: 5000 };

    it('ANDs consent to personalised offers with a personalised audience', () => {
      expect(evaluateAudience(spend, makeFacts(), ASOF)).toEqual({
        all: [
          { fact: 'consent', purpose: 'personalisedOffers', actual: true, held: true },
          { ...spend, actual: 7420, held: true },
        ],
        held: true,
      });
    });

    it('refuses a household without consent, however well the audience holds', () => {
      const facts = makeFacts({ consent: { personalisedOffers: false } });
      expect(evaluateAudience({ any: [spend, { not: spend }] }, facts, ASOF)).toMatchObject({
        all: [{ fact: 'consent', held: false }, { held: true }],
        held: false,
      });
    });

    it('asks no consent of everyone', () => {
      const facts = makeFacts({ consent: { personalisedOffers: false } });
      expect(evaluateAudience('everyone', facts, ASOF)).toEqual({ everyone: true, held: true });
    });
  });
});

describe('audienceReads', () => {
  it.each<[string, Parameters<typeof audienceReads>[0], ReturnType<typeof audienceReads>]>([
    ['everyone', 'everyone', { products: false, listIds: [], crossSell: [] }],
    ['facts only', { fact: 'tier', in: ['gold'] }, { products: false, listIds: [], crossSell: [] }],
    [
      'a purchase under not, and a list',
      {
        all: [
          { not: { fact: 'bought', item: { brand: 'acme' }, withinDays: 7 } },
          { any: [{ fact: 'inList', listId: LIST_ID }] },
        ],
      },
      { products: true, listIds: [LIST_ID], crossSell: [] },
    ],
    [
      'a cross-sell',
      { fact: 'crossSell', category: 'cheese', minLift: 2, withinDays: 30 },
      { products: true, listIds: [], crossSell: ['cheese'] },
    ],
  ])('%s', (_name, audience, reads) => {
    expect(audienceReads(audience)).toEqual(reads);
  });
});
