import { Cents } from './money';
import {
  CheckoutRef,
  Offer,
  OfferState,
  isOfferForStore,
  isOfferValidAt,
  sameCheckout,
} from './offer';
import { RuleLimits, limitRefusal } from './redemption-limits';

// What the transaction stream settles of a checkout after the lane: a void cancels its sale's
// redemptions, a return gives back the discounts it names, and a sale carrying offers the lane
// applied offline (without a redemption) redeems them late, or records a conflict for staff.

/** A redemption as the settlement sees it. */
export interface HeldRedemption {
  discountCents: Cents;
  /** What earlier returns already gave back of the discount. */
  returnedCents: Cents;
}

/** What giving back `discountBackCents` of a redemption's discount does. */
export interface ReturnOutcome {
  /** The budget the rule gets back: what the return gives back, at most what is left. */
  budgetBackCents: Cents;
  /** The whole discount came back: the redemption is cancelled (cap freed, offer reinstated). */
  cancels: boolean;
}

/**
 * A return names the redemptions whose discount it gives back (the POS refunds the goods net of
 * the discount and takes back what the offer no longer earns). Giving back the whole discount
 * (or naming a redemption that discounted nothing, a points reward) cancels it, as a void does.
 */
export function returnOutcome(held: HeldRedemption, discountBackCents: Cents): ReturnOutcome {
  const left = held.discountCents - held.returnedCents;
  const budgetBackCents = Math.max(0, Math.min(discountBackCents, left));
  return { budgetBackCents, cancels: budgetBackCents === left };
}

/**
 * The points a return gives back of those that paid its sale: in proportion to what it refunds of
 * the sale's total, rounded down, never more than what is still spent. Points paid a share of
 * the basket; a refund of part of it gives back the same share.
 */
export function pointsBackForReturn(
  pointsSpent: number,
  saleTotalCents: Cents,
  refundedCents: Cents,
  alreadyBack: number,
): number {
  if (pointsSpent <= 0 || saleTotalCents <= 0) return 0;
  const share = Math.floor(
    (pointsSpent * Math.min(refundedCents, saleTotalCents)) / saleTotalCents,
  );
  return Math.max(0, Math.min(share, pointsSpent - alreadyBack));
}

/**
 * Where a cancelled redemption's offer goes back to: the wallet, as it was before (clipped or
 * not), if it is still valid; expired once its validity ended; and withdrawn (expired or
 * revoked) if the coupon engine withdrew it while it stood redeemed.
 */
export function reinstatedState(
  offer: { validUntil: string; clippedAt: string | null; withdrawal: 'expired' | 'revoked' | null },
  now: Date,
): Extract<OfferState, 'issued' | 'clipped' | 'expired' | 'revoked'> {
  if (offer.withdrawal) return offer.withdrawal;
  if (now.getTime() >= Date.parse(offer.validUntil)) return 'expired';
  return offer.clippedAt === null ? 'issued' : 'clipped';
}

export const OFFLINE_CONFLICT_REASONS = [
  'unknown-offer',
  'other-shopper',
  'already-redeemed',
  'not-valid-then',
  'withdrawn',
  'wrong-store',
  'budget-exhausted',
  'household-cap-reached',
] as const;
/** Why an offer a lane applied offline could not be redeemed when its sale arrived. */
export type OfflineConflictReason = (typeof OFFLINE_CONFLICT_REASONS)[number];

/**
 * What to do with an offer a lane applied offline: redeem it, nothing (its sale redeemed it
 * already: a lane that timed out on a redemption that still committed), or a conflict for staff.
 */
export type OfflineVerdict = 'redeem' | 'redeemed-here' | OfflineConflictReason;

/**
 * Judges an offer a lane applied offline, as of the sale's time: the shopper's, not used by
 * another checkout (held for this one is fine), valid then and in this store, and within its
 * rule's limits for the discount the lane gave.
 */
export function judgeOfflineOffer(
  offer: Offer | undefined,
  shopperId: string | null,
  checkout: CheckoutRef,
  at: Date,
  discountCents: Cents,
  limits: RuleLimits | undefined,
): OfflineVerdict {
  if (!offer) return 'unknown-offer';
  if (offer.state === 'redeemed' && sameCheckout(offer.checkout, checkout)) return 'redeemed-here';
  if (shopperId === null || offer.shopperId !== shopperId) return 'other-shopper';
  if (offer.state === 'redeemed') return 'already-redeemed';
  if (offer.state === 'reserved' && !sameCheckout(offer.checkout, checkout))
    return 'already-redeemed';
  if (offer.state === 'expired' || offer.state === 'revoked') return 'withdrawn';
  if (!isOfferValidAt(offer, at)) return 'not-valid-then';
  if (!isOfferForStore(offer, checkout.storeId)) return 'wrong-store';
  return limitRefusal(limits, 1, discountCents) ?? 'redeem';
}
