import { localDate } from '@loyalty/domain';
import { instantOn } from './profile-facts.job';

describe('instantOn', () => {
  it.each([
    ['2026-03-29', 'Europe/London'], // the day clocks go forward
    ['2026-10-25', 'Europe/London'], // and back
    ['2026-06-10', 'Pacific/Kiritimati'], // UTC+14
    ['2026-06-10', 'Pacific/Pago_Pago'], // UTC−11
    ['2026-06-10', 'America/New_York'],
  ])('is on %s in %s', (date, timeZone) => {
    expect(localDate(instantOn(date, timeZone), timeZone)).toBe(date);
  });
});
