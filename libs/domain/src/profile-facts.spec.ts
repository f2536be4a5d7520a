import fc from 'fast-check';
import {
  DEFAULT_LIFECYCLE_RULES,
  LifecycleInput,
  TierRules,
  TierState,
  addDays,
  averageBasketCents,
  birthdayInDays,
  daysSinceLastVisit,
  lastRequalificationOn,
  lifecycleSegment,
  lifecycleTransition,
  localDate,
  nextTier,
  nextVisitDueOn,
  productDueOn,
  purchaseCadenceDays,
  quintileScores,
  quintileThresholds,
  repeatIntervalDays,
  rollingWindows,
  scoreByThresholds,
  weekStartOf,
} from './profile-facts';

describe('weekStartOf', () => {
  it.each([
    ['2026-03-02', '2026-03-02'], // Monday
    ['2026-03-08', '2026-03-02'], // Sunday
    ['2026-03-09', '2026-03-09'],
    ['2026-01-01', '2025-12-29'], // Thursday, across the year
  ])('%s is in the week of %s', (date, monday) => {
    expect(weekStartOf(date)).toBe(monday);
  });
});

describe('rollingWindows', () => {
  // asOf Wednesday 2026-03-04: week 1 starts Monday 2026-03-02.
  const week = (weeksBack: number, spendCents = 100, visits = 1) => ({
    weekStart: addDays('2026-03-02', -7 * weeksBack),
    spendCents,
    visits,
  });

  it.each([
    ['the current week is week 1', [week(0)], [100, 1, 100, 1, 100, 1]],
    ['week 4 is the last of the 4 weeks', [week(3)], [100, 1, 100, 1, 100, 1]],
    ['week 5 is outside the 4 weeks', [week(4)], [0, 0, 100, 1, 100, 1]],
    ['week 13 is the last of the 13 weeks', [week(12)], [0, 0, 100, 1, 100, 1]],
    ['week 14 is outside the 13 weeks', [week(13)], [0, 0, 0, 0, 100, 1]],
    ['week 52 is the last of the 52 weeks', [week(51)], [0, 0, 0, 0, 100, 1]],
    ['week 53 is outside every window', [week(52)], [0, 0, 0, 0, 0, 0]],
    ['a later week is not counted', [week(-1)], [0, 0, 0, 0, 0, 0]],
    ['weeks add up', [week(0, 250, 2), week(5, 50, 1)], [250, 2, 300, 3, 300, 3]],
  ])('%s', (_, weeks, expected) => {
    const w = rollingWindows(weeks, '2026-03-04');
    expect([
      w.spend4wCents,
      w.visits4w,
      w.spend13wCents,
      w.visits13w,
      w.spend52wCents,
      w.visits52w,
    ]).toEqual(expected);
  });
});

describe('averageBasketCents', () => {
  it.each([
    [1000, 0, null],
    [1000, 3, 333],
    [1001, 2, 501], // 500.5 rounds half away from zero
    [999, 2, 500], // 499.5
    [0, 4, 0],
  ])('%i over %i visits is %s', (spend, visits, expected) => {
    expect(averageBasketCents(spend, visits)).toBe(expected);
  });
});

describe('daysSinceLastVisit', () => {
  const london = 'Europe/London';
  it.each([
    // Clocks go forward at 01:00 UTC on 29 March 2026: 24 hours apart, two local dates apart.
    ['2026-03-28T23:30:00Z', '2026-03-29T23:30:00Z', 2],
    ['2026-03-28T23:30:00Z', '2026-03-29T22:59:00Z', 1],
    // Clocks go back at 01:00 UTC on 25 October 2026: 00:00 BST to 23:59 GMT is 24h59m, one date.
    ['2026-10-24T23:00:00Z', '2026-10-25T23:59:00Z', 0],
    ['2026-10-24T22:59:00Z', '2026-10-24T23:00:00Z', 1], // 22:59 BST → 00:00 BST the next day
    ['2026-06-01T10:00:00Z', '2026-06-01T22:00:00Z', 0],
  ])('last visit %s, as of %s: %i', (last, asOf, expected) => {
    expect(daysSinceLastVisit(new Date(last), new Date(asOf), london)).toBe(expected);
  });

  it('is null without a visit', () => {
    expect(daysSinceLastVisit(null, new Date('2026-06-01T00:00:00Z'), london)).toBeNull();
  });

  it('takes the local date in the time zone given', () => {
    expect(localDate(new Date('2026-06-01T23:30:00Z'), 'Europe/London')).toBe('2026-06-02');
    expect(localDate(new Date('2026-06-01T23:30:00Z'), 'America/New_York')).toBe('2026-06-01');
  });
});

describe('purchaseCadenceDays and nextVisitDueOn', () => {
  it.each([
    [[], null],
    [['2026-03-01'], null],
    [['2026-03-01', '2026-03-01'], null], // one distinct day
    [['2026-03-01', '2026-03-08'], 7],
    [['2026-03-08', '2026-03-01', '2026-03-04'], 3.5], // any order; gaps 3 and 4
    [['2026-03-01', '2026-03-02', '2026-03-12', '2026-03-13'], 1], // gaps 1, 10, 1
    [['2026-02-27', '2026-03-01'], 2], // across the end of February
  ])('%j: %s', (days, expected) => {
    expect(purchaseCadenceDays(days)).toBe(expected);
  });

  it.each([
    ['2026-03-08', 3.5, '2026-03-12'], // half a day rounds up
    ['2026-03-08', 3.4, '2026-03-11'],
    ['2026-03-08', null, null],
    [null, 7, null],
  ])('%s plus %s days is %s', (last, cadence, expected) => {
    expect(nextVisitDueOn(last, cadence)).toBe(expected);
  });
});

describe('repeatIntervalDays and productDueOn', () => {
  it.each([
    [1, '2026-01-01', '2026-01-01', null, null],
    [2, '2026-01-01', '2026-01-11', 10, '2026-01-21'],
    [3, '2026-01-01', '2026-01-10', 4.5, '2026-01-15'],
    [4, '2026-01-01', '2026-01-11', 3.3, '2026-01-14'],
    [2, '2026-01-01', '2026-01-01', 0, '2026-01-01'], // twice on one day
  ])('%i purchases from %s to %s: %s days, due %s', (purchases, first, last, interval, due) => {
    const product = { purchases, firstBoughtOn: first, lastBoughtOn: last };
    expect(repeatIntervalDays(product)).toBe(interval);
    expect(productDueOn(product)).toBe(due);
  });
});

describe('quintileScores', () => {
  it.each([
    [[10], [1]],
    [
      [1, 2, 3, 4, 5],
      [1, 2, 3, 4, 5],
    ],
    [
      [5, 4, 3, 2, 1],
      [5, 4, 3, 2, 1],
    ],
    [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
    ],
    [
      [7, 7, 7, 7],
      [1, 1, 1, 1],
    ], // all tied: all score as the lowest
    [
      [1, 2, 2, 2, 3],
      [1, 2, 2, 2, 5],
    ], // ties take the rank of the first of them
    [
      [0, 0, 0, 100],
      [1, 1, 1, 4],
    ],
  ])('%j scores %j', (values, expected) => {
    expect(quintileScores(values)).toEqual(expected);
  });

  it('scores by the thresholds exactly as over the population', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 60 }),
        (values) => {
          const thresholds = quintileThresholds(values);
          expect(values.map((v) => scoreByThresholds(v, thresholds))).toEqual(
            quintileScores(values),
          );
        },
      ),
    );
  });

  it('gives a higher value no lower score', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 60 }),
        (values) => {
          const scores = quintileScores(values);
          values.forEach((v, i) =>
            values.forEach((w, j) => {
              if (v < w) expect(scores[i]).toBeLessThanOrEqual(scores[j]);
            }),
          );
        },
      ),
    );
  });
});

describe('lifecycleSegment', () => {
  const asOf = '2026-06-30';
  const input = (overrides: Partial<LifecycleInput>): LifecycleInput => ({
    asOf,
    firstVisitDay: '2025-01-01',
    recentVisitDays: [addDays(asOf, -3)],
    daysSinceLastVisit: 3,
    cadenceDays: 7,
    ...overrides,
  });

  it.each<[string, Partial<LifecycleInput>, string | null]>([
    ['no visit', { firstVisitDay: null, recentVisitDays: [], daysSinceLastVisit: null }, null],
    ['a regular shopper', {}, 'active'],
    ['first visit 27 days ago', { firstVisitDay: addDays(asOf, -27) }, 'new'],
    ['first visit 28 days ago', { firstVisitDay: addDays(asOf, -28) }, 'active'],
    ['20 days without a visit, weekly', { daysSinceLastVisit: 20 }, 'active'],
    ['21 days without a visit, weekly', { daysSinceLastVisit: 21 }, 'lapsing'],
    ['27 days, every two weeks', { daysSinceLastVisit: 27, cadenceDays: 14 }, 'active'],
    ['28 days, every two weeks', { daysSinceLastVisit: 28, cadenceDays: 14 }, 'lapsing'],
    ['21 days, no cadence yet', { daysSinceLastVisit: 21, cadenceDays: null }, 'lapsing'],
    ['59 days, every 29 days', { daysSinceLastVisit: 59, cadenceDays: 29 }, 'lapsing'],
    ['60 days', { daysSinceLastVisit: 60 }, 'lapsed'],
    ['60 days, every 40 days', { daysSinceLastVisit: 60, cadenceDays: 40 }, 'lapsed'],
    [
      'back after 60 days, 27 days ago',
      { recentVisitDays: [addDays(asOf, -87), addDays(asOf, -27), addDays(asOf, -3)] },
      'won_back',
    ],
    [
      'back after 60 days, 28 days ago',
      { recentVisitDays: [addDays(asOf, -88), addDays(asOf, -28), addDays(asOf, -3)] },
      'active',
    ],
    ['back after 59 days', { recentVisitDays: [addDays(asOf, -62), addDays(asOf, -3)] }, 'active'],
    [
      'back after 60 days but lapsing again',
      { recentVisitDays: [addDays(asOf, -85), addDays(asOf, -25)], daysSinceLastVisit: 25 },
      'lapsing',
    ],
  ])('%s: %s', (_, overrides, expected) => {
    expect(lifecycleSegment(input(overrides), DEFAULT_LIFECYCLE_RULES)).toBe(expected);
  });

  it.each([
    [null, 'new', { from: null, to: 'new', on: asOf }],
    ['active', 'lapsing', { from: 'active', to: 'lapsing', on: asOf }],
    ['lapsed', 'won_back', { from: 'lapsed', to: 'won_back', on: asOf }],
    ['active', 'active', null],
    [null, null, null],
  ] as const)('from %s to %s', (from, to, expected) => {
    expect(lifecycleTransition(from, to, asOf)).toEqual(expected);
  });
});

describe('tiers', () => {
  const rules: TierRules = {
    silverFromCents: 50_000,
    goldFromCents: 150_000,
    requalificationDate: '01-01',
  };
  const state = (
    tier: TierState['tier'],
    requalifiedOn: string | null,
    tierSince = '2025-06-01',
  ): TierState => ({
    tier,
    tierSince,
    requalifiedOn,
  });

  it.each<[string, TierState, number, string, TierState]>([
    [
      'first judgement',
      state('bronze', null, ''),
      60_000,
      '2026-03-01',
      state('silver', '2026-01-01', '2026-03-01'),
    ],
    [
      'just below silver',
      state('bronze', '2026-01-01'),
      49_999,
      '2026-03-01',
      state('bronze', '2026-01-01'),
    ],
    [
      'an upgrade at once',
      state('bronze', '2026-01-01'),
      150_000,
      '2026-03-01',
      state('gold', '2026-01-01', '2026-03-01'),
    ],
    [
      'no downgrade within the year',
      state('gold', '2026-01-01'),
      0,
      '2026-12-31',
      state('gold', '2026-01-01'),
    ],
    [
      'downgrade on the day',
      state('gold', '2025-01-01'),
      60_000,
      '2026-01-01',
      state('silver', '2026-01-01', '2026-01-01'),
    ],
    [
      'downgrade when the day was missed',
      state('gold', '2025-01-01'),
      0,
      '2026-01-05',
      state('bronze', '2026-01-01', '2026-01-05'),
    ],
    [
      'kept when requalified',
      state('gold', '2025-01-01'),
      150_000,
      '2026-01-01',
      state('gold', '2026-01-01'),
    ],
  ])('%s', (_, current, spend, asOf, expected) => {
    const given = current.tierSince === '' ? { ...current, tierSince: null } : current;
    expect(nextTier(given, spend, asOf, rules)).toEqual(expected);
  });

  it.each([
    ['2026-03-01', '02-29', '2026-02-28'],
    ['2026-02-27', '02-29', '2025-02-28'],
    ['2028-02-29', '02-29', '2028-02-29'],
    ['2026-04-01', '04-01', '2026-04-01'],
    ['2026-03-31', '04-01', '2025-04-01'],
  ])('as of %s the last %s was %s', (asOf, monthDay, expected) => {
    expect(lastRequalificationOn(asOf, monthDay)).toBe(expected);
  });
});

describe('birthdayInDays', () => {
  it.each([
    [null, '2026-03-01', null],
    ['03-01', '2026-03-01', 0],
    ['03-02', '2026-03-01', 1],
    ['02-28', '2026-03-01', 364], // next year's
    ['02-29', '2026-02-27', 1], // on 28 February in a year without 29 February
    ['02-29', '2026-02-28', 0],
    ['02-29', '2026-03-01', 364], // 2027-02-28
    ['02-29', '2027-03-01', 365], // 2028-02-29
    ['12-31', '2026-12-31', 0],
    ['01-01', '2026-12-31', 1],
  ])('%s as of %s: %s', (birthday, asOf, expected) => {
    expect(birthdayInDays(birthday, asOf)).toBe(expected);
  });
});
