import { createHmac } from 'node:crypto';

/** How an erased card is remembered: HMAC-SHA256 under `CARD_HASH_KEY`, as hex. */
export function hashCard(cardNumber: string, key: string): string {
  return createHmac('sha256', key).update(cardNumber).digest('hex');
}
