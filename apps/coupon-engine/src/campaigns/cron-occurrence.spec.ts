import { latestOccurrence, occurrenceKey } from './cron-occurrence';

const at = (iso: string) => new Date(iso);

describe('latestOccurrence', () => {
  it.each([
    // cron, zone, after, now, expected
    [
      '0 9 * * *',
      'Europe/London',
      '2026-12-01T09:00:00Z',
      '2026-12-02T10:30:00Z',
      '2026-12-02T09:00:00.000Z',
    ],
    ['0 9 * * *', 'Europe/London', '2026-12-02T09:00:00Z', '2026-12-02T10:30:00Z', null],
    ['0 9 * * *', 'Europe/London', '2026-12-01T09:00:00Z', '2026-12-02T08:59:59Z', null],
    // 09:00 in London is 08:00 UTC in summer.
    [
      '0 9 * * *',
      'Europe/London',
      '2026-06-01T00:00:00Z',
      '2026-06-01T12:00:00Z',
      '2026-06-01T08:00:00.000Z',
    ],
    [
      '0 9 * * *',
      'America/New_York',
      '2026-12-02T00:00:00Z',
      '2026-12-02T23:00:00Z',
      '2026-12-02T14:00:00.000Z',
    ],
    [
      '*/15 * * * *',
      'UTC',
      '2026-12-02T00:00:00Z',
      '2026-12-02T10:44:10Z',
      '2026-12-02T10:30:00.000Z',
    ],
    [
      '5-10/5 8 * * *',
      'UTC',
      '2026-12-02T00:00:00Z',
      '2026-12-02T10:00:00Z',
      '2026-12-02T08:10:00.000Z',
    ],
    // Mondays (2026-11-30 was one); 7 and 0 are both Sunday (2026-11-29).
    [
      '0 9 * * 1',
      'UTC',
      '2026-11-25T00:00:00Z',
      '2026-12-02T10:00:00Z',
      '2026-11-30T09:00:00.000Z',
    ],
    [
      '0 9 * * 7',
      'UTC',
      '2026-11-25T00:00:00Z',
      '2026-12-02T10:00:00Z',
      '2026-11-29T09:00:00.000Z',
    ],
    // Both day fields restricted: either matches (the 1st, or a Sunday).
    [
      '0 9 1 * 0',
      'UTC',
      '2026-11-25T00:00:00Z',
      '2026-12-02T10:00:00Z',
      '2026-12-01T09:00:00.000Z',
    ],
    [
      '0 9 1 * *',
      'UTC',
      '2026-11-25T00:00:00Z',
      '2026-12-02T10:00:00Z',
      '2026-12-01T09:00:00.000Z',
    ],
    ['0 9 * 6 *', 'UTC', '2026-11-25T00:00:00Z', '2026-12-02T10:00:00Z', null],
    // 01:30 does not exist in London on 2026-03-29.
    ['30 1 * * *', 'Europe/London', '2026-03-29T00:00:00Z', '2026-03-29T12:00:00Z', null],
  ])('%s in %s over (%s, %s] is %s', (cron, zone, after, now, expected) => {
    const found = latestOccurrence(cron, zone, at(after), at(now));
    expect(found?.toISOString() ?? null).toBe(expected);
  });
});

describe('occurrenceKey', () => {
  it.each([
    ['2026-12-02T09:00:00Z', 'Europe/London', '2026-12-02T09:00'],
    ['2026-06-01T08:00:00Z', 'Europe/London', '2026-06-01T09:00'],
    ['2026-12-02T03:00:00Z', 'America/New_York', '2026-12-01T22:00'],
  ])('%s in %s is %s', (instant, zone, key) => {
    expect(occurrenceKey(at(instant), zone)).toBe(key);
  });
});
