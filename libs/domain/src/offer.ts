import { Reward } from './coupon-rule';
import { OfferExpiredError } from './errors';

export const OFFER_STATES = ['issued', 'redeemed', 'expired', 'revoked'] as const;
export type OfferState = (typeof OFFER_STATES)[number];

/** One rule's reward issued to one shopper. */
export interface Offer {
  id: string;
  code: string;
  shopperId: string;
  ruleId: string;
  reward: Reward;
  validFrom: string;
  validUntil: string;
}

export function isOfferValidAt(offer: Offer, now: Date): boolean {
  const at = now.getTime();
  return new Date(offer.validFrom).getTime() <= at && at < new Date(offer.validUntil).getTime();
}

export function assertOfferValidAt(offer: Offer, now: Date): void {
  if (!isOfferValidAt(offer, now)) {
    throw new OfferExpiredError(`Offer ${offer.code} is not valid now`, 'offerCodes');
  }
}
