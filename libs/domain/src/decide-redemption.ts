import { BasketLine, Quote, allocateDiscounts } from './allocate-discounts';
import {
  OfferAlreadyRedeemedError,
  OfferExpiredError,
  OfferNotApplicableError,
  OfferNotFoundError,
  OfferRevokedError,
  assertNever,
} from './errors';
import { Offer, isOfferValidAt, orderForCheckout } from './offer';

/** An offer with the redemption already recorded for it, if any. */
export interface OfferOnFile extends Offer {
  redemption: { storeId: string; posTransactionId: string } | null;
}

export interface RedemptionRequest {
  shopperId: string;
  storeId: string;
  posTransactionId: string;
  codes: readonly string[];
  lines: readonly BasketLine[];
}

export type RedemptionDecision =
  /** Record a redemption for each of these offers. */
  | { kind: 'redeem'; quote: Quote; offers: OfferOnFile[] }
  /** The same checkout asks again (a POS retry): answer as before, record nothing. */
  | { kind: 'replay'; quote: Quote };

const FIELD = 'offerCodes';

function isSameCheckout(offer: OfferOnFile, request: RedemptionRequest): boolean {
  return (
    offer.redemption?.storeId === request.storeId &&
    offer.redemption.posTransactionId === request.posTransactionId
  );
}

function assertRedeemable(offer: OfferOnFile, now: Date): void {
  if (offer.redemption) {
    throw new OfferAlreadyRedeemedError(`Offer ${offer.code} was already redeemed`, FIELD);
  }
  switch (offer.state) {
    case 'issued':
      break;
    case 'redeemed':
      throw new OfferAlreadyRedeemedError(`Offer ${offer.code} was already redeemed`, FIELD);
    case 'expired':
      throw new OfferExpiredError(`Offer ${offer.code} has expired`, FIELD);
    case 'revoked':
      throw new OfferRevokedError(`Offer ${offer.code} was revoked`, FIELD);
    default:
      assertNever(offer.state);
  }
  if (!isOfferValidAt(offer, now)) {
    throw new OfferExpiredError(`Offer ${offer.code} is not valid now`, FIELD);
  }
}

/**
 * Decides a redemption of `codes` on a basket, all or none: each offer must belong to the shopper,
 * be live and unredeemed, and give something on this basket. The discounts are those of a quote
 * with the same offers, applied in the checkout order.
 */
export function decideRedemption(
  request: RedemptionRequest,
  onFile: ReadonlyMap<string, OfferOnFile>,
  now: Date,
): RedemptionDecision {
  const offers = request.codes.map((code) => {
    const offer = onFile.get(code);
    if (!offer || offer.shopperId !== request.shopperId) {
      throw new OfferNotFoundError(`This card has no offer ${code}`, FIELD);
    }
    return offer;
  });
  const quote = allocateDiscounts(request.lines, orderForCheckout(offers));
  if (offers.every((offer) => isSameCheckout(offer, request))) return { kind: 'replay', quote };

  for (const offer of offers) assertRedeemable(offer, now);
  const applied = new Set(quote.appliedOffers.map((a) => a.code));
  for (const offer of offers) {
    if (!applied.has(offer.code)) {
      throw new OfferNotApplicableError(`Offer ${offer.code} gives nothing on this basket`, FIELD);
    }
  }
  return { kind: 'redeem', quote, offers };
}
