import { CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** The number in E.164, or null when it is no valid number (read in `region` without a +code). */
export function normalisePhone(text: string, region: CountryCode): string | null {
  const parsed = parsePhoneNumberFromString(text, region);
  return parsed?.isValid() ? parsed.number : null;
}
