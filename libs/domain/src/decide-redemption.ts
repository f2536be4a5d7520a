import { BasketLine, EarnRate } from './allocate-discounts';
import { OfferNotApplicableError, OfferNotFoundError } from './errors';
import { Offer, isOfferForStore, redeemOffer } from './offer';
import { StackedQuote, stackOffers } from './stack-offers';

export interface RedemptionRequest {
  shopperId: string;
  storeId: string;
  posTransactionId: string;
  codes: readonly string[];
  lines: readonly BasketLine[];
}

export interface RedemptionDecision {
  quote: StackedQuote;
  /** The offers named, each in its new state `redeemed`, in the order they apply. */
  offers: Offer[];
}

const FIELD = 'offerCodes';

/**
 * What a shopper's usable offers give on a basket at `storeId`: `stackOffers` over the offers
 * valid in this store; the others are left out as `wrong-store`. The same basket and offers give
 * the same answer.
 */
export function quoteBasket(
  lines: readonly BasketLine[],
  offers: readonly Offer[],
  storeId: string,
  rate?: EarnRate,
): StackedQuote {
  const here = offers.filter((offer) => isOfferForStore(offer, storeId));
  const quote = stackOffers(lines, here, rate);
  const elsewhere = offers
    .filter((offer) => !isOfferForStore(offer, storeId))
    .map((offer) => ({ code: offer.code, reason: 'wrong-store' as const }));
  return { ...quote, leftOut: [...elsewhere, ...quote.leftOut] };
}

/**
 * Decides a redemption of `codes` on a basket, all or none: each offer must belong to the shopper,
 * be redeemable now (`redeemOffer`) in this store, and apply to this basket together with the
 * others named (`stackOffers`: an offer its stacking leaves out is refused with why). The
 * discounts are those of a quote with the same offers. A retry of the same checkout never
 * reaches here: the service answers it from the request it recorded.
 */
export function decideRedemption(
  request: RedemptionRequest,
  onFile: ReadonlyMap<string, Offer>,
  now: Date,
  rate?: EarnRate,
): RedemptionDecision {
  const checkout = { storeId: request.storeId, posTransactionId: request.posTransactionId };
  const redeemed = request.codes.map((code) => {
    const offer = onFile.get(code);
    if (!offer || offer.shopperId !== request.shopperId) {
      throw new OfferNotFoundError(`This card has no offer ${code}`, FIELD);
    }
    const used = redeemOffer(offer, checkout, now);
    if (!isOfferForStore(offer, request.storeId))
      throw new OfferNotApplicableError(`Offer ${code} is not valid in this store`, FIELD);
    return used;
  });
  const quote = stackOffers(request.lines, redeemed, rate);
  const [left] = quote.leftOut;
  if (left !== undefined) {
    throw new OfferNotApplicableError(
      `Offer ${left.code} gives nothing on this basket with these offers (${left.reason})`,
      FIELD,
    );
  }
  const byCode = new Map(redeemed.map((offer) => [offer.code, offer]));
  return { quote, offers: quote.appliedOffers.map((a) => byCode.get(a.code) as Offer) };
}
