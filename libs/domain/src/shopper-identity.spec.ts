import fc from 'fast-check';
import {
  LANGUAGE_TAG_PATTERN,
  POSTCODE_PATTERN,
  birthdayInYear,
  birthdayMonthDay,
  isCalendarDate,
  isLeapYear,
  isValidBirthday,
  normaliseEmail,
  normalisePostcode,
} from './shopper-identity';

describe('isLeapYear', () => {
  it.each([
    [2024, true],
    [2023, false],
    [2000, true],
    [1900, false],
    [2100, false],
  ])('%i: %s', (year, leap) => expect(isLeapYear(year)).toBe(leap));
});

describe('isValidBirthday', () => {
  const today = '2026-12-02';
  it.each([
    ['1990-05-17', true],
    ['2000-02-29', true],
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['1990-02-30', false],
    ['1990-04-31', false],
    ['1990-13-01', false],
    ['1990-00-10', false],
    ['1990-01-00', false],
    ['1990-1-01', false],
    ['2026-12-02', true],
    ['2026-12-03', false],
    ['2099-01-01', false],
    ['1899-12-31', false],
    ['1900-01-01', true],
    ['not a date', false],
    ['1990-05-17T00:00:00Z', false],
  ])('%s: %s', (birthday, valid) => expect(isValidBirthday(birthday, today)).toBe(valid));

  it('agrees with the calendar of Date for every day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const date = new Date(`${text}T00:00:00Z`);
          const real = date.getUTCMonth() + 1 === month && date.getUTCDate() === day;
          expect(isCalendarDate(text)).toBe(real);
        },
      ),
    );
  });
});

describe('birthdayInYear', () => {
  it.each([
    ['2000-02-29', 2024, '2024-02-29'],
    ['2000-02-29', 2025, '2025-02-28'],
    ['2000-02-29', 2100, '2100-02-28'],
    ['1990-03-01', 2025, '2025-03-01'],
    ['1990-12-31', 2026, '2026-12-31'],
    ['1990-02-28', 2024, '2024-02-28'],
  ])('%s in %i: %s', (birthday, year, day) => expect(birthdayInYear(birthday, year)).toBe(day));

  it('is always a real day in the year, in the birthday month', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }),
        fc.integer({ min: 1901, max: 2200 }),
        (date, year) => {
          const birthday = date.toISOString().slice(0, 10);
          const day = birthdayInYear(birthday, year);
          expect(isCalendarDate(day)).toBe(true);
          expect(day.slice(5, 7)).toBe(birthday.slice(5, 7));
        },
      ),
    );
  });

  it('gives other apps month and day only', () => {
    expect(birthdayMonthDay('1984-07-09')).toBe('07-09');
  });
});

describe('identity text', () => {
  it.each([
    ['  Ann.Lee@Example.COM ', 'ann.lee@example.com'],
    ['a@b.co', 'a@b.co'],
  ])('email %j is %j', (text, email) => expect(normaliseEmail(text)).toBe(email));

  it.each([
    ['en', true],
    ['en-GB', true],
    ['zh-Hant-TW', true],
    ['es-419', true],
    ['fil', true],
    ['EN', false],
    ['en_GB', false],
    ['en-gb', false],
    ['english', false],
    ['', false],
  ])('language %j: %s', (tag, valid) => expect(LANGUAGE_TAG_PATTERN.test(tag)).toBe(valid));

  it.each([
    ['SW1A 1AA', true],
    ['10115', true],
    ['90210-1234', true],
    ['A', false],
    ['SW1A\n1AA', false],
    ['x'.repeat(11), false],
    ['-123', false],
  ])('postcode %j: %s', (text, valid) => expect(POSTCODE_PATTERN.test(text)).toBe(valid));

  it('stores postcodes in upper case with single spaces', () => {
    expect(normalisePostcode(' sw1a   1aa ')).toBe('SW1A 1AA');
  });
});
