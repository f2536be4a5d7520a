import { birthdaysOn, nextBirthdayYear, retryDelaySeconds } from './message-calendar';

describe('message calendar', () => {
  it.each([
    ['2026-03-14', ['03-14']],
    ['2026-02-28', ['02-28', '02-29']],
    ['2028-02-28', ['02-28']],
    ['2028-02-29', ['02-29']],
  ])('celebrates on %s the birthdays %j', (day, birthdays) => {
    expect(birthdaysOn(day)).toEqual(birthdays);
  });

  it.each([
    ['1990-03-14', '2026-03-10', 2026],
    ['1990-03-14', '2026-03-14', 2026],
    ['1990-01-02', '2026-12-30', 2027],
    ['2000-02-29', '2026-02-27', 2026],
    ['2000-02-29', '2026-03-01', 2027],
  ])('a birthday on %s seen on %s is the one of %i', (birthday, day, year) => {
    expect(nextBirthdayYear(birthday, day)).toBe(year);
  });

  it.each([
    [1, 60, 60],
    [2, 60, 120],
    [4, 60, 480],
    [30, 60, 86_400],
  ])('after attempt %i waits %i s doubled to %i s', (attempts, first, wait) => {
    expect(retryDelaySeconds(attempts, first)).toBe(wait);
  });
});
