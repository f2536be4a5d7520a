import { randomInt } from 'node:crypto';

// Crockford base32 without I, L, O, U: easy to read out over the phone or type at a till.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A random 10-character offer code (50 bits): unguessable and unique in practice. */
export function generateOfferCode(): string {
  let code = '';
  for (let i = 0; i < 10; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}
