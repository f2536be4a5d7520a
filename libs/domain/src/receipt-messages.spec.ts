import { DEFAULT_CHECKOUT_TERMS, Offer } from './offer';
import { describeReward, formatCents, receiptMessages } from './receipt-messages';
import { Reward } from './rules/rule-model';
import { StackedQuote } from './stack-offers';

const offer = (code: string, reward: Reward, validUntil = '2026-12-31T23:00:00Z'): Offer => ({
  id: `id-${code}`,
  code,
  shopperId: 's1',
  ruleId: 'r1',
  reward,
  validFrom: '2026-11-01T00:00:00Z',
  validUntil,
  issuedAt: '2026-11-01T00:00:00Z',
  ...DEFAULT_CHECKOUT_TERMS,
  state: 'issued',
});

describe('describeReward', () => {
  it.each<[Reward, string]>([
    [{ kind: 'percentOff', percent: 10, target: { department: 'DAIRY' } }, '10% off DAIRY'],
    [{ kind: 'amountOff', amountCents: 250, target: { basket: true } }, '2.50 off your shopping'],
    [{ kind: 'fixedPrice', priceCents: 99, target: { skus: ['milk'] } }, 'item milk at 0.99 each'],
    [
      { kind: 'buyXGetY', buy: 2, get: 1, free: 'cheapest', target: { brand: 'ACME' } },
      'buy 2 get 1 free on ACME',
    ],
    [{ kind: 'freeItem', sku: 'bread', target: { basket: true } }, 'item bread free'],
    [
      { kind: 'pointsMultiplier', multiplier: 3, target: { category: 'CHEESE' } },
      '3x points on CHEESE',
    ],
    [
      { kind: 'bonusPoints', points: 500, target: { skus: ['a', 'b'] } },
      '500 bonus points on selected items',
    ],
  ])('%j reads "%s"', (reward, text) => {
    expect(describeReward(reward)).toBe(text);
  });

  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [1234, '12.34'],
    [-250, '-2.50'],
  ])('formats %i cents as %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });
});

describe('receiptMessages', () => {
  const quote = (leftOut: StackedQuote['leftOut']): StackedQuote => ({
    subtotalCents: 1_500,
    discountCents: 0,
    totalCents: 1_500,
    appliedOffers: [],
    leftOut,
  });

  it('prints the points earned, then the offers kept for another visit, the soonest first', () => {
    const offers = [
      offer('LATER', { kind: 'percentOff', percent: 10, target: { department: 'DAIRY' } }),
      offer(
        'SOONER',
        { kind: 'amountOff', amountCents: 500, target: { basket: true }, minBasketCents: 2_000 },
        '2026-12-10T23:00:00Z',
      ),
      offer('ELSEWHERE', { kind: 'percentOff', percent: 5, target: { basket: true } }),
    ];
    const messages = receiptMessages(
      quote([
        { code: 'LATER', reason: 'target-not-in-basket' },
        { code: 'SOONER', reason: 'minimum-basket-not-met' },
        { code: 'ELSEWHERE', reason: 'wrong-store' },
      ]),
      offers,
      15,
    );
    expect(messages).toEqual([
      { kind: 'points-earned', text: 'You earn 15 points today.' },
      {
        kind: 'spend-more',
        code: 'SOONER',
        text: 'Spend 5.00 more for 5.00 off your shopping (code SOONER, until 2026-12-10).',
      },
      {
        kind: 'next-visit-offer',
        code: 'LATER',
        text: 'Next visit: 10% off DAIRY with code LATER, until 2026-12-31.',
      },
    ]);
  });

  it('prints at most three offers and nothing for a basket that earns no points', () => {
    const offers = ['A', 'B', 'C', 'D'].map((code) =>
      offer(code, { kind: 'percentOff', percent: 10, target: { department: 'X' } }),
    );
    const messages = receiptMessages(
      quote(offers.map((o) => ({ code: o.code, reason: 'not-combinable' }))),
      offers,
      0,
    );
    expect(messages.map((m) => m.code)).toEqual(['A', 'B', 'C']);
  });
});
