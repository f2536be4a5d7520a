import { CouponRule, MatchedFact, Reward } from '../coupon-rule';
import { Cents } from '../money';
import { ShopperProfile } from '../profile';
import { PosTransaction } from '../transaction';

/** `pos.transaction-recorded.v1`, keyed by card number: the POS transaction as accepted. */
export type TransactionRecordedV1 = PosTransaction & { receivedAt: string };

/** `pos-ingest.profile-changed.v1`, keyed by shopper id: the profile after a change. */
export interface ProfileChangedV1 {
  /** Unique per change; consumers use it to make their effects idempotent. */
  eventId: string;
  changedAt: string;
  profile: ShopperProfile;
}

/**
 * `coupon-engine.offer-issued.v1`, keyed by shopper id. loyalty-api puts each into the shopper's
 * wallet (`loyalty.offers`), where its state is kept from then on.
 */
export interface OfferIssuedV1 {
  offerId: string;
  code: string;
  shopperId: string;
  ruleId: string;
  reward: Reward;
  validFrom: string;
  validUntil: string;
  /** Added later in v1: older events lack it, and were issued at `validFrom`. */
  issuedAt?: string;
  reason: MatchedFact[];
}

/** `loyalty-api.offer-redeemed.v1`, keyed by shopper id. */
export interface OfferRedeemedV1 {
  offerId: string;
  code: string;
  shopperId: string;
  storeId: string;
  terminalId: string;
  posTransactionId: string;
  discountCents: Cents;
  redeemedAt: string;
}

/**
 * `loyalty-api.rule-changed.v1`, keyed by rule id: the whole rule after it was created or changed.
 * `version` grows by one with every change; a copy keeps the highest version it has seen, so an
 * older event (redelivered, replayed) never overwrites a newer copy.
 */
export interface RuleChangedV1 {
  rule: CouponRule;
  version: number;
  changedAt: string;
}

/**
 * `loyalty-api.terminal-key-changed.v1`, keyed by key id: a POS terminal's key as loyalty-api
 * created or revoked it, so the apps that authenticate lanes keep a copy. Only a SHA-256 of the
 * key's 256-bit random secret travels. Revocation is final: a copy stays revoked whatever the
 * order in which it meets the two events.
 */
export interface TerminalKeyChangedV1 {
  keyId: string;
  storeId: string;
  terminalId: string;
  secretHash: string;
  revokedAt: string | null;
}
