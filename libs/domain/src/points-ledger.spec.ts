import fc from 'fast-check';
import {
  GoodwillLimitExceededError,
  InsufficientPointsError,
  PointsMovement,
  checkAdjustment,
  expiryCutoff,
  expiryDay,
  pointsToExpire,
  pointsValueCents,
  unconsumedCredits,
} from './points-ledger';

const at = (iso: string) => new Date(iso);
const entry = (points: number, occurredAt: string): PointsMovement => ({
  points,
  occurredAt: at(occurredAt),
});

describe('expiryCutoff', () => {
  it.each([
    ['2026-06-15T10:00:00.000Z', 24, '2024-06-15T10:00:00.000Z'],
    ['2026-01-10T00:00:00.000Z', 1, '2025-12-10T00:00:00.000Z'],
    // Into a shorter month: its last day.
    ['2026-03-31T12:00:00.000Z', 1, '2026-02-28T12:00:00.000Z'],
    ['2026-02-28T08:00:00.000Z', 24, '2024-02-28T08:00:00.000Z'],
    ['2028-02-29T08:00:00.000Z', 24, '2026-02-28T08:00:00.000Z'],
    ['2026-05-31T23:59:59.999Z', 13, '2025-04-30T23:59:59.999Z'],
    // The UTC calendar, whatever offset the instant was written with.
    ['2026-07-01T01:30:00+02:00', 24, '2024-06-30T23:30:00.000Z'],
  ])('%s minus %i months is %s', (asOf, months, cutoff) => {
    expect(expiryCutoff(at(asOf), months).toISOString()).toBe(cutoff);
  });

  it('names its day on the UTC calendar', () => {
    expect(expiryDay(at('2024-06-30T23:30:00.000Z'))).toBe('2024-06-30');
    expect(expiryDay(at('2024-07-01T00:30:00+02:00'))).toBe('2024-06-30');
  });
});

describe('pointsToExpire (FIFO: debits consume the oldest credits first)', () => {
  const cutoff = at('2024-06-15T10:00:00.000Z');
  it.each<[string, PointsMovement[], number]>([
    ['nothing', [], 0],
    ['a credit older than the cutoff', [entry(100, '2024-01-01T00:00:00Z')], 100],
    ['a credit at the exact instant of the cutoff', [entry(100, '2024-06-15T10:00:00Z')], 100],
    ['a credit one millisecond after', [entry(100, '2024-06-15T10:00:00.001Z')], 0],
    [
      'the same instant written with an offset',
      [entry(100, '2024-06-15T12:00:00+02:00'), entry(5, '2024-06-15T12:00:00.001+02:00')],
      100,
    ],
    [
      'partly consumed by a redemption',
      [entry(100, '2024-01-01T00:00:00Z'), entry(-30, '2024-02-01T00:00:00Z')],
      70,
    ],
    [
      'a debit consumes the oldest first, so newer credits survive',
      [
        entry(100, '2024-01-01T00:00:00Z'),
        entry(50, '2024-07-01T00:00:00Z'),
        entry(-120, '2024-08-01T00:00:00Z'),
      ],
      0,
    ],
    [
      'a later debit still consumes old credits (FIFO whenever it happened)',
      [
        entry(100, '2024-01-01T00:00:00Z'),
        entry(50, '2024-07-01T00:00:00Z'),
        entry(-40, '2024-09-01T00:00:00Z'),
      ],
      60,
    ],
    [
      'a return reverses points: a debit like any other',
      [entry(100, '2024-01-01T00:00:00Z'), entry(-25, '2024-01-02T00:00:00Z')],
      75,
    ],
    [
      'an earlier expiry counts as a debit: nothing expires twice',
      [entry(100, '2024-01-01T00:00:00Z'), entry(-100, '2026-01-01T00:00:00Z')],
      0,
    ],
    [
      'points earned since an earlier expiry pass',
      [
        entry(100, '2024-01-01T00:00:00Z'),
        entry(-100, '2026-01-01T00:00:00Z'),
        entry(40, '2024-05-01T00:00:00Z'),
      ],
      40,
    ],
    [
      'a debt (debits beyond the credits) expires nothing',
      [entry(10, '2024-01-01T00:00:00Z'), entry(-50, '2024-01-02T00:00:00Z')],
      0,
    ],
    [
      'a transfer out and a negative adjustment are debits',
      [
        entry(300, '2023-01-01T00:00:00Z'),
        entry(-100, '2024-03-01T00:00:00Z'),
        entry(-50, '2024-03-02T00:00:00Z'),
      ],
      150,
    ],
  ])('%s', (_name, entries, expected) => {
    expect(pointsToExpire(entries, cutoff)).toBe(expected);
  });

  const arbEntries = fc.array(
    fc.record({
      points: fc.integer({ min: -500, max: 1000 }).filter((p) => p !== 0),
      occurredAt: fc.date({
        min: at('2023-01-01T00:00:00Z'),
        max: at('2026-01-01T00:00:00Z'),
        noInvalidDate: true,
      }),
    }),
    { maxLength: 30 },
  );
  const arbCutoff = fc.date({
    min: at('2022-06-01T00:00:00Z'),
    max: at('2026-06-01T00:00:00Z'),
    noInvalidDate: true,
  });

  it('is what is left of the credits up to the cutoff after FIFO consumption', () => {
    fc.assert(
      fc.property(arbEntries, arbCutoff, (entries, cutoff) => {
        const left = unconsumedCredits(entries)
          .filter((lot) => lot.occurredAt <= cutoff)
          .reduce((total, lot) => total + lot.points, 0);
        expect(pointsToExpire(entries, cutoff)).toBe(left);
      }),
    );
  });

  it('once booked as a debit, expires nothing more at the same cutoff, and never more than the balance', () => {
    fc.assert(
      fc.property(arbEntries, arbCutoff, (entries, cutoff) => {
        const expired = pointsToExpire(entries, cutoff);
        const balance = entries.reduce((total, e) => total + e.points, 0);
        expect(expired).toBeLessThanOrEqual(Math.max(0, balance));
        const after = [...entries, { points: -expired, occurredAt: cutoff }];
        if (expired > 0) expect(pointsToExpire(after, cutoff)).toBe(0);
      }),
    );
  });
});

describe('unconsumedCredits', () => {
  it.each<[string, PointsMovement[], [string, number][]]>([
    ['none', [], []],
    [
      'oldest first, the oldest partly consumed',
      [
        entry(50, '2024-03-01T00:00:00Z'),
        entry(100, '2024-01-01T00:00:00Z'),
        entry(-120, '2024-04-01T00:00:00Z'),
      ],
      [['2024-03-01T00:00:00.000Z', 30]],
    ],
    [
      'credits of the same instant in the order given',
      [
        entry(10, '2024-01-01T00:00:00Z'),
        entry(20, '2024-01-01T00:00:00Z'),
        entry(-15, '2024-02-01T00:00:00Z'),
      ],
      [['2024-01-01T00:00:00.000Z', 15]],
    ],
    [
      'a debt leaves none',
      [entry(10, '2024-01-01T00:00:00Z'), entry(-11, '2024-01-01T00:00:00Z')],
      [],
    ],
  ])('%s', (_name, entries, expected) => {
    expect(unconsumedCredits(entries).map((l) => [l.occurredAt.toISOString(), l.points])).toEqual(
      expected,
    );
  });
});

describe('checkAdjustment', () => {
  it.each([
    ['goodwill within the limit', { points: 200, balance: 0, givenToday: 300, dailyLimit: 500 }],
    [
      'goodwill up to the limit exactly',
      { points: 500, balance: 0, givenToday: 0, dailyLimit: 500 },
    ],
    ['taking back to exactly 0', { points: -80, balance: 80, givenToday: 500, dailyLimit: 500 }],
    ['taking back is not goodwill', { points: -10, balance: 100, givenToday: 999, dailyLimit: 0 }],
  ])('allows %s', (_name, request) => {
    expect(() => checkAdjustment(request)).not.toThrow();
  });

  it.each([
    [
      'goodwill beyond what remains today',
      { points: 201, balance: 0, givenToday: 300, dailyLimit: 500 },
      GoodwillLimitExceededError,
      /200 of 500 points remain/,
    ],
    [
      'goodwill after the limit was passed',
      { points: 1, balance: 0, givenToday: 600, dailyLimit: 500 },
      GoodwillLimitExceededError,
      /0 of 500 points remain/,
    ],
    [
      'taking back more than the balance',
      { points: -81, balance: 80, givenToday: 0, dailyLimit: 500 },
      InsufficientPointsError,
      /balance is 80 points/,
    ],
    [
      'taking back from a household in debt',
      { points: -1, balance: -5, givenToday: 0, dailyLimit: 500 },
      InsufficientPointsError,
      /balance is 0 points/,
    ],
  ])('refuses %s', (_name, request, error, message) => {
    expect(() => checkAdjustment(request)).toThrow(error);
    expect(() => checkAdjustment(request)).toThrow(message);
  });
});

describe('pointsValueCents', () => {
  it.each([
    [0, 100, 0],
    [100, 100, 100],
    [150, 100, 150],
    [199, 50, 100],
    [197, 50, 99],
    [1_000_000, 1, 10_000],
  ])('%i points at %i cents per 100 are worth %i cents', (points, rate, cents) => {
    expect(pointsValueCents(points, rate)).toBe(cents);
  });
});
