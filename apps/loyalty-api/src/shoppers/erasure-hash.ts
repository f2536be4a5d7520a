import { createHmac } from 'node:crypto';

/**
 * HMAC-SHA256 of a value of an erased household (a card number, a subject) under the erasure key:
 * enough to recognise the value again, not to recover it (card numbers are few enough to guess
 * through an unkeyed hash).
 */
export function erasureHash(key: string, value: string): Buffer {
  return createHmac('sha256', key).update(value).digest();
}
