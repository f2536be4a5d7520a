import { BasketLine, Quote, allocateDiscounts } from './allocate-discounts';
import { OfferNotApplicableError, OfferNotFoundError } from './errors';
import { Offer, orderForCheckout, redeemOffer } from './offer';

export interface RedemptionRequest {
  shopperId: string;
  storeId: string;
  posTransactionId: string;
  codes: readonly string[];
  lines: readonly BasketLine[];
}

export interface RedemptionDecision {
  quote: Quote;
  /** The offers named, each in its new state `redeemed`, in the checkout order. */
  offers: Offer[];
}

const FIELD = 'offerCodes';

/**
 * Decides a redemption of `codes` on a basket, all or none: each offer must belong to the shopper,
 * be redeemable now (`redeemOffer`) and give something on this basket. The discounts are those of
 * a quote with the same offers, applied in the checkout order. A retry of the same checkout never
 * reaches here: the service answers it from the request it recorded.
 */
export function decideRedemption(
  request: RedemptionRequest,
  onFile: ReadonlyMap<string, Offer>,
  now: Date,
): RedemptionDecision {
  const offers = request.codes.map((code) => {
    const offer = onFile.get(code);
    if (!offer || offer.shopperId !== request.shopperId) {
      throw new OfferNotFoundError(`This card has no offer ${code}`, FIELD);
    }
    return offer;
  });
  const checkout = { storeId: request.storeId, posTransactionId: request.posTransactionId };
  const redeemed = orderForCheckout(offers).map((offer) => redeemOffer(offer, checkout, now));
  const quote = allocateDiscounts(request.lines, redeemed);
  const applied = new Set(quote.appliedOffers.map((a) => a.code));
  for (const offer of redeemed) {
    if (!applied.has(offer.code)) {
      throw new OfferNotApplicableError(`Offer ${offer.code} gives nothing on this basket`, FIELD);
    }
  }
  return { quote, offers: redeemed };
}
