import { CapPeriod } from './rule-model';
import { isoWeek, offerValidity, periodKey } from './offer-validity';

describe('offerValidity', () => {
  const rule = (offerValidDays: number) => ({
    validity: { from: '2026-12-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z' },
    offerValidDays,
  });

  it.each([
    [
      'N days of 24 hours from the issue',
      14,
      '2026-12-02T09:30:00.000Z',
      '2026-12-02T09:30:00.000Z',
      '2026-12-16T09:30:00.000Z',
    ],
    [
      'capped by the rule’s until',
      14,
      '2026-12-25T09:30:00.000Z',
      '2026-12-25T09:30:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ],
    [
      'from the rule’s start when issued before it',
      7,
      '2026-11-30T12:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2026-12-07T12:00:00.000Z',
    ],
  ])('%s', (_, days, issuedAt, validFrom, validUntil) => {
    expect(offerValidity(rule(days), new Date(issuedAt))).toEqual({ validFrom, validUntil });
  });
});

describe('isoWeek', () => {
  it.each([
    ['2026-12-02', '2026-W49'],
    ['2026-12-28', '2026-W53'], // 2026 starts on a Thursday: 53 weeks
    ['2027-01-03', '2026-W53'], // a Sunday still in 2026's last week
    ['2027-01-04', '2027-W01'],
    ['2024-12-30', '2025-W01'], // a Monday already in 2025's first week
    ['2021-01-01', '2020-W53'],
  ])('%s is in %s', (date, week) => {
    expect(isoWeek(date)).toBe(week);
  });
});

describe('periodKey', () => {
  // 23:30 UTC on New Year's Eve is already New Year's Day in Tokyo, still 2026 in London.
  const at = new Date('2026-12-31T23:30:00Z');

  it.each<[CapPeriod, string, string]>([
    ['day', 'Europe/London', '2026-12-31'],
    ['day', 'Asia/Tokyo', '2027-01-01'],
    ['week', 'Europe/London', '2026-W53'],
    ['week', 'Asia/Tokyo', '2026-W53'],
    ['month', 'Europe/London', '2026-12'],
    ['month', 'Asia/Tokyo', '2027-01'],
    ['year', 'Europe/London', '2026'],
    ['year', 'Asia/Tokyo', '2027'],
    ['campaign', 'Europe/London', 'campaign'],
  ])('%s in %s is %s', (period, timeZone, key) => {
    expect(periodKey(period, at, timeZone)).toBe(key);
  });
});
