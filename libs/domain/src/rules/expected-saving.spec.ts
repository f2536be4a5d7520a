import { makeFacts, makeProduct } from './audience-facts.fixture';
import { expectedSavingCents } from './expected-saving';
import { Reward, Rule } from './rule-model';

const rule = (reward: Reward, offerValidDays = 14): Rule => ({
  schemaVersion: 1,
  id: 'r',
  name: 'R',
  trigger: { kind: 'profileChange' },
  audience: 'everyone',
  reward,
  validity: { from: '2026-01-01T00:00:00Z', until: '2027-01-01T00:00:00Z' },
  offerValidDays,
  usesPerOffer: 1,
  priority: 1,
  stacking: 'stackable',
  controlShare: 0,
});

// The fixture: a 15.00 average basket every 7 days; apples 12.00 over 4 purchases every 14 days.
describe('expectedSavingCents', () => {
  it.each<[string, Reward, number, Parameters<typeof makeFacts>[0], number]>([
    [
      '10% of the basket, used for sure',
      { kind: 'percentOff', percent: 10, target: { basket: true } },
      14,
      {},
      150,
    ],
    [
      'capped',
      { kind: 'percentOff', percent: 10, target: { basket: true }, maxDiscountCents: 100 },
      14,
      {},
      100,
    ],
    [
      'half the chance in half the cadence',
      { kind: 'amountOff', amountCents: 200, target: { basket: true } },
      3,
      {},
      (3 / 7) * 200,
    ],
    [
      'no cadence: 13-week visits',
      { kind: 'amountOff', amountCents: 200, target: { basket: true } },
      7,
      { cadenceDays: null, visits13w: 13 },
      200,
    ],
    [
      'below the minimum basket',
      { kind: 'amountOff', amountCents: 200, target: { basket: true }, minBasketCents: 2_000 },
      14,
      {},
      0,
    ],
    [
      'an item bought every 14 days',
      { kind: 'percentOff', percent: 50, target: { skus: ['sku-apple'] } },
      7,
      {},
      0.5 * 150,
    ],
    [
      'an item never bought',
      { kind: 'percentOff', percent: 50, target: { brand: 'none' } },
      14,
      {},
      0,
    ],
    [
      'an item bought once (no interval)',
      { kind: 'percentOff', percent: 50, target: { skus: ['sku-apple'] } },
      14,
      { products: [makeProduct({ purchases: 1, repeatIntervalDays: null })] },
      0,
    ],
    ['points: no money', { kind: 'bonusPoints', points: 100, target: { basket: true } }, 14, {}, 0],
  ])('%s', (_name, reward, days, facts, expected) => {
    expect(expectedSavingCents(rule(reward, days), makeFacts(facts))).toBeCloseTo(expected, 6);
  });
});
