import { Reward } from './coupon-rule';

export const OFFER_STATES = ['issued', 'redeemed', 'expired', 'revoked'] as const;
export type OfferState = (typeof OFFER_STATES)[number];

/** One rule's reward issued to one shopper. */
export interface Offer {
  id: string;
  code: string;
  shopperId: string;
  ruleId: string;
  reward: Reward;
  state: OfferState;
  validFrom: string;
  validUntil: string;
  issuedAt: string;
}

export function isOfferValidAt(offer: Offer, now: Date): boolean {
  const at = now.getTime();
  return Date.parse(offer.validFrom) <= at && at < Date.parse(offer.validUntil);
}

/** The one order in which a shopper's offers apply to a basket: oldest first, then by code. */
export function orderForCheckout<T extends Pick<Offer, 'issuedAt' | 'code'>>(
  offers: readonly T[],
): T[] {
  return [...offers].sort(
    (a, b) => Date.parse(a.issuedAt) - Date.parse(b.issuedAt) || a.code.localeCompare(b.code),
  );
}
