import { Reward, StackingMode } from './rules/rule-model';
import {
  OfferAlreadyRedeemedError,
  OfferReissueRefusedError,
  OfferExpiredError,
  OfferReservedError,
  OfferRevokedError,
  OfferStateError,
  assertNever,
} from './errors';

export const OFFER_STATES = [
  'issued',
  'clipped',
  'reserved',
  'redeemed',
  'expired',
  'revoked',
] as const;
export type OfferState = (typeof OFFER_STATES)[number];

/** The states in which a shopper can use an offer at any checkout. */
export const USABLE_OFFER_STATES = ['issued', 'clipped'] as const satisfies readonly OfferState[];

/**
 * The states the coupon engine's withdrawal (expiry, revocation) moves an offer out of. A reserved
 * offer is held by a checkout in progress and a redeemed one was used: the lane's decision stands.
 */
export const WITHDRAWABLE_OFFER_STATES = [
  'issued',
  'clipped',
] as const satisfies readonly OfferState[];

/** What an offer gives, to whom and when: fixed when the coupon engine issues it. */
export interface OfferTerms {
  id: string;
  code: string;
  shopperId: string;
  ruleId: string;
  reward: Reward;
  validFrom: string;
  validUntil: string;
  issuedAt: string;
  /** How it combines with other offers at the checkout (see `stackOffers`). */
  priority: number;
  stacking: StackingMode;
  stackingGroup: string | null;
  /** Redeemable only in these stores; null: everywhere. */
  stores: string[] | null;
  /** Usable at the checkout only once the shopper clipped it. */
  clipRequired: boolean;
}

/** The checkout terms of an offer issued before offers carried them: stackable, everywhere. */
export const DEFAULT_CHECKOUT_TERMS = {
  priority: 0,
  stacking: 'stackable',
  stackingGroup: null,
  stores: null,
  clipRequired: false,
} as const satisfies Pick<
  OfferTerms,
  'priority' | 'stacking' | 'stackingGroup' | 'stores' | 'clipRequired'
>;

/** Whether the shopper clipped the offer (it may be held by a checkout since). */
export function isClipped(offer: Offer): boolean {
  return offer.state === 'clipped' || (offer.state === 'reserved' && offer.clippedAt !== null);
}

/** A clip-only offer the shopper has not clipped: the checkout leaves it out. */
export function awaitsClip(offer: Offer): boolean {
  return offer.clipRequired && !isClipped(offer);
}

/** Whether the offer may be used in `storeId`. */
export function isOfferForStore(offer: Pick<OfferTerms, 'stores'>, storeId: string): boolean {
  return offer.stores === null || offer.stores.includes(storeId);
}

/** The checkout an offer is held for or was used at. */
export interface CheckoutRef {
  storeId: string;
  posTransactionId: string;
}

/** Where an offer is in its life; each state carries what only it knows. */
export type OfferStatus =
  | { state: 'issued' }
  /** The shopper put it on the card (app, website); it stays usable. */
  | { state: 'clipped'; clippedAt: string }
  /** Held for one checkout in progress; that checkout alone may redeem it. */
  | { state: 'reserved'; clippedAt: string | null; reservedAt: string; checkout: CheckoutRef }
  | { state: 'redeemed'; redeemedAt: string; checkout: CheckoutRef }
  | { state: 'expired'; expiredAt: string }
  | { state: 'revoked'; revokedAt: string };

/** An offer in the shopper's wallet, as loyalty-api keeps it. */
export type Offer = OfferTerms & OfferStatus;

export function isOfferValidAt(offer: Pick<OfferTerms, 'validFrom' | 'validUntil'>, now: Date) {
  const at = now.getTime();
  return Date.parse(offer.validFrom) <= at && at < Date.parse(offer.validUntil);
}

/**
 * The one rule for "this shopper can use this offer now": theirs, in a usable state, within its
 * validity. The checkout's SQL pre-filter (`CheckoutOffersQuery.usableOffers`) is tested against it.
 */
export function isOfferUsable(offer: Offer, shopperId: string, now: Date): boolean {
  return (
    offer.shopperId === shopperId &&
    (USABLE_OFFER_STATES as readonly OfferState[]).includes(offer.state) &&
    isOfferValidAt(offer, now)
  );
}

const FIELD = 'offerCodes';

/** Whether two checkout references name the same POS transaction. */
export function sameCheckout(a: CheckoutRef, b: CheckoutRef): boolean {
  return a.storeId === b.storeId && a.posTransactionId === b.posTransactionId;
}

/** Refuses an offer that has left the wallet for good (redeemed, expired, revoked). */
function assertNotFinal(offer: Offer): void {
  switch (offer.state) {
    case 'issued':
    case 'clipped':
    case 'reserved':
      return;
    case 'redeemed':
      throw new OfferAlreadyRedeemedError(`Offer ${offer.code} was already redeemed`, FIELD);
    case 'expired':
      throw new OfferExpiredError(`Offer ${offer.code} has expired`, FIELD);
    case 'revoked':
      throw new OfferRevokedError(`Offer ${offer.code} was revoked`, FIELD);
    default:
      return assertNever(offer);
  }
}

function assertValidAt(offer: Offer, now: Date): void {
  if (!isOfferValidAt(offer, now)) {
    throw new OfferExpiredError(`Offer ${offer.code} is not valid now`, FIELD);
  }
}

function terms(offer: Offer): OfferTerms {
  const { id, code, shopperId, ruleId, reward, validFrom, validUntil, issuedAt } = offer;
  const { priority, stacking, stackingGroup, stores, clipRequired } = offer;
  return {
    id,
    code,
    shopperId,
    ruleId,
    reward,
    validFrom,
    validUntil,
    issuedAt,
    priority,
    stacking,
    stackingGroup,
    stores,
    clipRequired,
  };
}

/** issued -> clipped; clipping again changes nothing. */
export function clipOffer(offer: Offer, now: Date): Offer {
  assertNotFinal(offer);
  assertValidAt(offer, now);
  switch (offer.state) {
    case 'issued':
      return { ...terms(offer), state: 'clipped', clippedAt: now.toISOString() };
    case 'clipped':
      return offer;
    case 'reserved':
      throw new OfferReservedError(`Offer ${offer.code} is held by a checkout`, FIELD);
    default:
      throw new OfferStateError(`Offer ${offer.code} cannot be clipped`, FIELD);
  }
}

/** issued or clipped -> reserved for one checkout; the same checkout again changes nothing. */
export function reserveOffer(offer: Offer, checkout: CheckoutRef, now: Date): Offer {
  assertNotFinal(offer);
  assertValidAt(offer, now);
  switch (offer.state) {
    case 'issued':
    case 'clipped':
      return {
        ...terms(offer),
        state: 'reserved',
        clippedAt: offer.state === 'clipped' ? offer.clippedAt : null,
        reservedAt: now.toISOString(),
        checkout,
      };
    case 'reserved':
      if (sameCheckout(offer.checkout, checkout)) return offer;
      throw new OfferReservedError(`Offer ${offer.code} is held by another checkout`, FIELD);
    default:
      throw new OfferStateError(`Offer ${offer.code} cannot be reserved`, FIELD);
  }
}

/** reserved -> back where it was (issued or clipped), when its checkout gives it up. */
export function releaseOffer(offer: Offer, checkout: CheckoutRef): Offer {
  if (offer.state !== 'reserved' || !sameCheckout(offer.checkout, checkout)) {
    throw new OfferStateError(`Offer ${offer.code} is not held by this checkout`, FIELD);
  }
  return offer.clippedAt === null
    ? { ...terms(offer), state: 'issued' }
    : { ...terms(offer), state: 'clipped', clippedAt: offer.clippedAt };
}

/** issued, clipped, or reserved for this checkout -> redeemed, within its validity. */
export function redeemOffer(offer: Offer, checkout: CheckoutRef, now: Date): Offer {
  assertNotFinal(offer);
  if (offer.state === 'reserved' && !sameCheckout(offer.checkout, checkout)) {
    throw new OfferReservedError(`Offer ${offer.code} is held by another checkout`, FIELD);
  }
  assertValidAt(offer, now);
  return { ...terms(offer), state: 'redeemed', redeemedAt: now.toISOString(), checkout };
}

/** Any state not final -> expired; expiring again changes nothing. */
export function expireOffer(offer: Offer, now: Date): Offer {
  if (offer.state === 'expired') return offer;
  assertNotFinal(offer);
  return { ...terms(offer), state: 'expired', expiredAt: now.toISOString() };
}

/** Any state not final -> revoked (marketing withdrew it); revoking again changes nothing. */
export function revokeOffer(offer: Offer, now: Date): Offer {
  if (offer.state === 'revoked') return offer;
  assertNotFinal(offer);
  return { ...terms(offer), state: 'revoked', revokedAt: now.toISOString() };
}

/** How far support may give an expired offer back (loyalty-api's configuration). */
export interface ReissuePolicy {
  /** Only an offer that expired at most this many days ago. */
  expiredWithinDays: number;
  /** The reissued offer is valid for this many days from the reissue. */
  validForDays: number;
}

const DAY_MS = 86_400_000;

/**
 * expired (by its state, or issued or clipped past its validity) -> usable again until
 * `now + validForDays` (clipped if it was, or if it is clip-only), when support gives it back: only once per
 * offer (`reissuedBefore`), and only within `expiredWithinDays` of its expiry. A redeemed, revoked
 * or reserved offer, or one still valid, is refused.
 */
export function reissueOffer(
  offer: Offer,
  now: Date,
  policy: ReissuePolicy,
  reissuedBefore: boolean,
): Offer {
  const field = 'code';
  if (offer.state === 'redeemed')
    throw new OfferAlreadyRedeemedError(`Offer ${offer.code} was already redeemed`, field);
  if (offer.state === 'revoked')
    throw new OfferRevokedError(`Offer ${offer.code} was revoked`, field);
  if (offer.state === 'reserved')
    throw new OfferReservedError(`Offer ${offer.code} is held by a checkout`, field);
  const expiredAt =
    offer.state === 'expired'
      ? Math.min(Date.parse(offer.expiredAt), Date.parse(offer.validUntil))
      : Date.parse(offer.validUntil);
  if (expiredAt > now.getTime())
    throw new OfferStateError(`Offer ${offer.code} is still valid`, field);
  if (reissuedBefore)
    throw new OfferReissueRefusedError(`Offer ${offer.code} was reissued once already`, field);
  if (now.getTime() - expiredAt > policy.expiredWithinDays * DAY_MS)
    throw new OfferReissueRefusedError(
      `Offer ${offer.code} expired more than ${policy.expiredWithinDays} days ago`,
      field,
    );
  const reissued = {
    ...terms(offer),
    validUntil: new Date(now.getTime() + policy.validForDays * DAY_MS).toISOString(),
  };
  // Back on the card: a clip-only offer comes back clipped, so the shopper need not clip it again.
  if (offer.state === 'clipped')
    return { ...reissued, state: 'clipped', clippedAt: offer.clippedAt };
  return offer.clipRequired
    ? { ...reissued, state: 'clipped', clippedAt: now.toISOString() }
    : { ...reissued, state: 'issued' };
}
