import { CouponRule } from './coupon-rule';
import { decideOffersToIssue } from './issue-offers';
import { emptyProfile } from './profile';

const now = new Date('2026-03-10T12:00:00Z');
const rule: CouponRule = {
  id: 'r1',
  name: 'Dairy lovers',
  status: 'active',
  audience: [{ fact: 'departmentSpendCents', department: 'DAIRY', atLeast: 1_000 }],
  reward: {
    kind: 'amountOff',
    amountCents: 200,
    target: { scope: 'department', department: 'DAIRY' },
  },
  validFrom: '2026-03-01T00:00:00Z',
  validUntil: '2026-04-01T00:00:00Z',
  offerValidDays: 14,
  perShopperLimit: 1,
};
const profile = { ...emptyProfile('s1'), spendByDepartmentCents: { DAIRY: 1_500 } };

describe('decideOffersToIssue', () => {
  it('issues an offer with its validity and reason when the audience matches', () => {
    expect(decideOffersToIssue([rule], profile, new Map(), now)).toEqual([
      {
        ruleId: 'r1',
        shopperId: 's1',
        reward: rule.reward,
        validFrom: '2026-03-10T12:00:00.000Z',
        validUntil: '2026-03-24T12:00:00.000Z',
        reason: [
          { fact: 'departmentSpendCents', department: 'DAIRY', atLeast: 1_000, actual: 1_500 },
        ],
      },
    ]);
  });

  it('caps the offer validity at the end of the rule', () => {
    const [offer] = decideOffersToIssue([{ ...rule, offerValidDays: 60 }], profile, new Map(), now);
    expect(offer.validUntil).toBe('2026-04-01T00:00:00.000Z');
  });

  it.each([
    ['the per-shopper limit is reached', rule, new Map([['r1', 1]])],
    ['the rule is paused', { ...rule, status: 'paused' as const }, new Map()],
    ['the rule has ended', { ...rule, validUntil: '2026-03-01T00:00:00Z' }, new Map()],
    [
      'the audience does not match',
      { ...rule, audience: [{ fact: 'visits' as const, atLeast: 1 }] },
      new Map(),
    ],
  ])('issues nothing when %s', (_name, r, counts) => {
    expect(decideOffersToIssue([r], profile, counts, now)).toEqual([]);
  });

  it('issues up to the limit', () => {
    const r = { ...rule, perShopperLimit: 3 };
    expect(decideOffersToIssue([r], profile, new Map([['r1', 2]]), now)).toHaveLength(1);
  });
});
