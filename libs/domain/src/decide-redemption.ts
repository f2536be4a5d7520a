import { BasketLine, EarnRate } from './allocate-discounts';
import {
  BudgetExhaustedError,
  HouseholdCapReachedError,
  OfferNotApplicableError,
  OfferNotFoundError,
} from './errors';
import { Offer, awaitsClip, isOfferForStore, redeemOffer } from './offer';
import { LimitRefusal, RuleLimits, limitRefusal } from './redemption-limits';
import { LeftOutReason, StackedQuote, stackOffers } from './stack-offers';

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

/** Each rule's limits, by rule id; a rule not in it has none. */
export type LimitsByRule = ReadonlyMap<string, RuleLimits>;

const FIELD = 'offerCodes';

/**
 * The first applied offer, in the order they apply, that its rule's limits refuse once the
 * offers before it of the same rule are counted; null when the limits allow them all.
 */
function firstRefused(
  quote: StackedQuote,
  offers: readonly Offer[],
  limits: LimitsByRule,
): { code: string; reason: LimitRefusal } | null {
  const ruleOf = new Map(offers.map((offer) => [offer.code, offer.ruleId]));
  const used = new Map<string, { uses: number; discountCents: number }>();
  for (const applied of quote.appliedOffers) {
    const ruleId = ruleOf.get(applied.code) as string;
    const sofar = used.get(ruleId) ?? { uses: 0, discountCents: 0 };
    const next = {
      uses: sofar.uses + 1,
      discountCents: sofar.discountCents + applied.discountCents,
    };
    const reason = limitRefusal(limits.get(ruleId), next.uses, next.discountCents);
    if (reason !== null) return { code: applied.code, reason };
    used.set(ruleId, next);
  }
  return null;
}

/**
 * What a shopper's usable offers give on a basket at `storeId`: `stackOffers` over the offers
 * valid in this store whose rules' limits allow them. Left out besides stacking's reasons: a
 * clip-only offer not clipped (`not-clipped`), an offer for other stores (`wrong-store`), one whose household cap is reached
 * (`household-cap-reached`), one whose rule's budget cannot pay what it would give
 * (`budget-exhausted`, decided after stacking, which then runs again without it). The same basket,
 * offers and limits give the same answer.
 */
export function quoteBasket(
  lines: readonly BasketLine[],
  offers: readonly Offer[],
  storeId: string,
  rate?: EarnRate,
  limits: LimitsByRule = new Map(),
): StackedQuote {
  const leftOut: { code: string; reason: LeftOutReason }[] = [];
  let candidates = offers.filter((offer) => {
    const reason = awaitsClip(offer)
      ? 'not-clipped'
      : !isOfferForStore(offer, storeId)
        ? 'wrong-store'
        : limitRefusal(limits.get(offer.ruleId), 1, 0);
    if (reason !== null) leftOut.push({ code: offer.code, reason });
    return reason === null;
  });
  for (;;) {
    const quote = stackOffers(lines, candidates, rate);
    const refused = firstRefused(quote, candidates, limits);
    if (refused === null) return { ...quote, leftOut: [...leftOut, ...quote.leftOut] };
    leftOut.push(refused);
    candidates = candidates.filter((offer) => offer.code !== refused.code);
  }
}

/**
 * Decides a redemption of `codes` on a basket, all or none: each offer must belong to the shopper,
 * be redeemable now (`redeemOffer`) in this store, apply to this basket together with the others
 * named (`stackOffers`: an offer its stacking leaves out is refused with why), and be allowed by
 * its rule's limits (the household's cap, the budget). The discounts are those of a quote with
 * the same offers. A retry of the same checkout never reaches here: the service answers it from
 * the request it recorded.
 */
export function decideRedemption(
  request: RedemptionRequest,
  onFile: ReadonlyMap<string, Offer>,
  now: Date,
  rate?: EarnRate,
  limits: LimitsByRule = new Map(),
): RedemptionDecision {
  const checkout = { storeId: request.storeId, posTransactionId: request.posTransactionId };
  const redeemed = request.codes.map((code) => {
    const offer = onFile.get(code);
    if (!offer || offer.shopperId !== request.shopperId) {
      throw new OfferNotFoundError(`This card has no offer ${code}`, FIELD);
    }
    const used = redeemOffer(offer, checkout, now);
    if (awaitsClip(offer))
      throw new OfferNotApplicableError(
        `Offer ${code} applies once the shopper clipped it in the app (not-clipped)`,
        FIELD,
      );
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
  const refused = firstRefused(quote, redeemed, limits);
  if (refused?.reason === 'household-cap-reached')
    throw new HouseholdCapReachedError(
      `The household used offer ${refused.code}'s rule as often as its cap allows`,
      FIELD,
    );
  if (refused?.reason === 'budget-exhausted')
    throw new BudgetExhaustedError(
      `Offer ${refused.code}'s rule has not enough budget left for this discount`,
      FIELD,
    );
  const byCode = new Map(redeemed.map((offer) => [offer.code, offer]));
  return { quote, offers: quote.appliedOffers.map((a) => byCode.get(a.code) as Offer) };
}
