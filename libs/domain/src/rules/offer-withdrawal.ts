import { assertNever } from '../errors';
import type { RuleStatusV2 } from '../events/contracts';
import { Audience } from './rule-model';

/** How an issued offer leaves the shopper's hands before it is used. */
export const OFFER_WITHDRAWAL_KINDS = ['expired', 'revoked'] as const;
export type OfferWithdrawalKind = (typeof OFFER_WITHDRAWAL_KINDS)[number];

/** Why the coupon engine withdrew an offer. */
export const OFFER_WITHDRAWAL_CAUSES = [
  'validity-ended',
  'rule-ended',
  'consent-withdrawn',
] as const;
export type OfferWithdrawalCause = (typeof OFFER_WITHDRAWAL_CAUSES)[number];

/** An offer whose validity ended expired; one withdrawn for any other cause was revoked. */
export function withdrawalKind(cause: OfferWithdrawalCause): OfferWithdrawalKind {
  switch (cause) {
    case 'validity-ended':
      return 'expired';
    case 'rule-ended':
    case 'consent-withdrawn':
      return 'revoked';
    default:
      return assertNever(cause);
  }
}

/**
 * Whether a rule's move to `status` revokes the offers it issued that are still valid (every
 * version's). Only ending does: a paused rule stops issuing, but what it issued stays promised
 * (and usable) until it expires, so pausing and activating again loses the shoppers nothing.
 */
export function statusRevokesOffers(status: RuleStatusV2): boolean {
  switch (status) {
    case 'ended':
      return true;
    case 'draft':
    case 'active':
    case 'paused':
      return false;
    default:
      return assertNever(status);
  }
}

/** Whether a household's consent to personalised offers was withdrawn (true, then false). */
export function isConsentWithdrawn(before: boolean | null, after: boolean | null): boolean {
  return before === true && after === false;
}

/**
 * Whether withdrawn consent revokes an offer of a rule with `audience`: every audience but
 * 'everyone' is personalised (issued only with the household's consent); an offer made to
 * everyone the household still gets without it.
 */
export function dependsOnConsent(audience: Audience): boolean {
  return audience !== 'everyone';
}
