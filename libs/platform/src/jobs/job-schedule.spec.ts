import { duePeriod } from './job-schedule';

describe('duePeriod', () => {
  const london = { daily: '02:30', timeZone: 'Europe/London' };

  it.each([
    ['2026-06-10T01:29:00Z', london, '2026-06-09'], // 02:29 BST: yesterday's run is the latest
    ['2026-06-10T01:30:00Z', london, '2026-06-10'], // 02:30 BST
    ['2026-01-10T02:29:00Z', london, '2026-01-09'], // 02:29 GMT
    ['2026-01-10T02:30:00Z', london, '2026-01-10'],
    ['2026-06-10T23:30:00Z', london, '2026-06-10'], // 00:30 BST on the 11th, before 02:30
  ])('at %s: %s', (now, schedule, expected) => {
    expect(duePeriod(schedule, new Date(now))).toBe(expected);
  });

  it('is due after a local time a DST change skipped', () => {
    const skipped = { daily: '01:30', timeZone: 'Europe/London' };
    // 29 March 2026: 00:59 GMT is followed by 02:00 BST.
    expect(duePeriod(skipped, new Date('2026-03-29T00:59:00Z'))).toBe('2026-03-28');
    expect(duePeriod(skipped, new Date('2026-03-29T01:00:00Z'))).toBe('2026-03-29');
  });

  it.each([
    ['2026-06-10T10:14:59Z', '2026-06-10T10:00:00.000Z'],
    ['2026-06-10T10:15:00Z', '2026-06-10T10:15:00.000Z'],
  ])('every 15 minutes at %s: %s', (now, expected) => {
    expect(duePeriod({ everyMinutes: 15 }, new Date(now))).toBe(expected);
  });
});
