import { AudienceCondition, CouponRule, evaluateAudience, isRuleLive } from './coupon-rule';
import { ShopperProfile } from './profile';

const profile: ShopperProfile = {
  shopperId: 's1',
  lifetimeSpendCents: 12_000,
  visits: 4,
  firstVisitAt: '2026-01-01T10:00:00.000Z',
  lastVisitAt: '2026-02-01T10:00:00.000Z',
  spendByDepartmentCents: { DAIRY: 3_000, PRODUCE: 500 },
  pointsBalance: 0,
};

describe('evaluateAudience', () => {
  it.each<[string, AudienceCondition[], boolean]>([
    ['empty audience matches everyone', [], true],
    [
      'department spend reached',
      [{ fact: 'departmentSpendCents', department: 'DAIRY', atLeast: 3_000 }],
      true,
    ],
    [
      'department spend short by a cent',
      [{ fact: 'departmentSpendCents', department: 'DAIRY', atLeast: 3_001 }],
      false,
    ],
    [
      'department never bought',
      [{ fact: 'departmentSpendCents', department: 'MEAT', atLeast: 1 }],
      false,
    ],
    ['lifetime spend', [{ fact: 'lifetimeSpendCents', atLeast: 10_000 }], true],
    ['visits', [{ fact: 'visits', atLeast: 5 }], false],
    [
      'all conditions must hold',
      [
        { fact: 'visits', atLeast: 1 },
        { fact: 'departmentSpendCents', department: 'PRODUCE', atLeast: 600 },
      ],
      false,
    ],
  ])('%s', (_name, audience, matches) => {
    expect(evaluateAudience(audience, profile) !== null).toBe(matches);
  });

  it('returns the matched facts as the reason', () => {
    expect(
      evaluateAudience(
        [{ fact: 'departmentSpendCents', department: 'DAIRY', atLeast: 2_000 }],
        profile,
      ),
    ).toEqual([
      { fact: 'departmentSpendCents', department: 'DAIRY', atLeast: 2_000, actual: 3_000 },
    ]);
  });
});

describe('isRuleLive', () => {
  const rule: CouponRule = {
    id: 'r1',
    name: 'Dairy lovers',
    status: 'active',
    audience: [],
    reward: { kind: 'percentOff', percent: 10, target: { scope: 'basket' } },
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2026-02-01T00:00:00Z',
    offerValidDays: 7,
    perShopperLimit: 1,
  };

  it.each([
    ['before the window', rule, '2025-12-31T23:59:59Z', false],
    ['at the start', rule, '2026-01-01T00:00:00Z', true],
    ['at the end (exclusive)', rule, '2026-02-01T00:00:00Z', false],
    ['paused', { ...rule, status: 'paused' as const }, '2026-01-15T00:00:00Z', false],
  ])('%s', (_name, r, now, live) => {
    expect(isRuleLive(r, new Date(now))).toBe(live);
  });
});
