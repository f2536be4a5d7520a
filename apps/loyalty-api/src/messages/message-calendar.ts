// Calendar dates as `YYYY-MM-DD` strings, the programme's local dates: no time zones here.

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * The birthdays (`MM-DD`) celebrated on `day`: its own, and 29 February's on 28 February of a
 * year without one.
 */
export function birthdaysOn(day: string): string[] {
  const monthDay = day.slice(5);
  return monthDay === '02-28' && !isLeapYear(Number(day.slice(0, 4)))
    ? ['02-28', '02-29']
    : [monthDay];
}

/** The year of the first birthday on or after `day` (a birthday offer arrives days before it). */
export function nextBirthdayYear(birthday: string, day: string): number {
  const year = Number(day.slice(0, 4));
  const monthDay = birthday.slice(5);
  const celebrated = monthDay === '02-29' && !isLeapYear(year) ? '02-28' : monthDay;
  return `${year}-${celebrated}` >= day ? year : year + 1;
}

/** The wait before attempt `attempts + 1`: `firstSeconds`, doubling each time, at most a day. */
export function retryDelaySeconds(attempts: number, firstSeconds: number): number {
  return Math.min(firstSeconds * 2 ** Math.max(attempts - 1, 0), 86_400);
}
