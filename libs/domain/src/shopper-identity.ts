// The rules of a shopper's identity fields, shared by enrolment, self service and support lookup.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The oldest birthday we take: anything earlier is a typing error. */
export const EARLIEST_BIRTHDAY = '1900-01-01';

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `YYYY-MM-DD` naming a day that exists (29 February only in leap years). */
export function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * A birthday is a real calendar day, not after `today` (the caller's calendar day, `YYYY-MM-DD`)
 * and not before 1900. ISO dates compare as text.
 */
export function isValidBirthday(text: string, today: string): boolean {
  return isCalendarDate(text) && text >= EARLIEST_BIRTHDAY && text <= today;
}

/** Month and day of a birthday, `MM-DD`: all other apps see of it (never the year). */
export function birthdayMonthDay(birthday: string): string {
  return birthday.slice(5, 10);
}

/**
 * The day a birthday falls on in `year`, `YYYY-MM-DD`. A 29 February birthday falls on 28 February
 * in other years: it stays in the birthday's month, and a birthday treat arrives before the day
 * rather than after it.
 */
export function birthdayInYear(birthday: string, year: number): string {
  const monthDay = birthdayMonthDay(birthday);
  const day = monthDay === '02-29' && !isLeapYear(year) ? '02-28' : monthDay;
  return `${String(year).padStart(4, '0')}-${day}`;
}

/** Emails are compared and stored trimmed and in lower case. */
export function normaliseEmail(text: string): string {
  return text.trim().toLowerCase();
}

/**
 * The preferred language: a BCP 47 tag of a language (2-3 letters, lower case), an optional
 * script (4 letters, capitalised) and an optional region (2 capital letters or 3 digits), e.g.
 * `en`, `en-GB`, `zh-Hant-TW`, `es-419`.
 */
export const LANGUAGE_TAG_PATTERN = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$/;

/** A postcode or ZIP code: letters, digits, spaces and hyphens, 2-10 characters. */
export const POSTCODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 -]{0,8}[A-Za-z0-9]$/;

/** Postcodes are stored in upper case with single spaces. */
export function normalisePostcode(text: string): string {
  return text.trim().replace(/ +/g, ' ').toUpperCase();
}
