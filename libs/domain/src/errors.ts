// Domain failures carry a stable code that clients can switch on; the HTTP edge maps them to 409/422.
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /**
   * 'conflict': the request was valid but the current state forbids it (409); 'forbidden': the
   * caller may not act on this (403); 'notFound': what it names does not exist (404);
   * 'unprocessable': the rest (422).
   */
  readonly kind: 'conflict' | 'forbidden' | 'notFound' | 'unprocessable' = 'unprocessable';

  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnknownCardError extends DomainError {
  readonly code = 'UNKNOWN_CARD';
  override readonly kind = 'notFound';
}

export class OfferNotFoundError extends DomainError {
  readonly code = 'OFFER_NOT_FOUND';
  override readonly kind = 'notFound';
}

export class OfferRevokedError extends DomainError {
  readonly code = 'OFFER_REVOKED';
}

export class OfferNotApplicableError extends DomainError {
  readonly code = 'OFFER_NOT_APPLICABLE';
}

export class OfferExpiredError extends DomainError {
  readonly code = 'OFFER_EXPIRED';
}

export class OfferAlreadyRedeemedError extends DomainError {
  readonly code = 'OFFER_ALREADY_REDEEMED';
  override readonly kind = 'conflict';
}

/** Held for another checkout in progress. */
export class OfferReservedError extends DomainError {
  readonly code = 'OFFER_RESERVED';
  override readonly kind = 'conflict';
}

/** A change its current state does not allow (e.g. releasing an offer nobody holds). */
export class OfferStateError extends DomainError {
  readonly code = 'OFFER_STATE_CONFLICT';
  override readonly kind = 'conflict';
}

/** Support may not reissue this offer: its policy (how long ago it expired, once per offer). */
export class OfferReissueRefusedError extends DomainError {
  readonly code = 'OFFER_REISSUE_REFUSED';
}

/** The offer's rule has not enough of its money budget left for what the offer gives. */
export class BudgetExhaustedError extends DomainError {
  readonly code = 'BUDGET_EXHAUSTED';
  override readonly kind = 'conflict';
}

/** The household used the offer's rule as often as its cap allows in this period. */
export class HouseholdCapReachedError extends DomainError {
  readonly code = 'HOUSEHOLD_CAP_REACHED';
  override readonly kind = 'conflict';
}

export class TransactionIdReusedError extends DomainError {
  readonly code = 'TRANSACTION_ID_REUSED';
  override readonly kind = 'conflict';
}

/** The caller used this Idempotency-Key before for another body (422). */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
}

/** A redemption for a sale the POS already voided (its settlement came first). */
export class TransactionVoidedError extends DomainError {
  readonly code = 'TRANSACTION_VOIDED';
  override readonly kind = 'conflict';
}

export class WrongStoreError extends DomainError {
  readonly code = 'WRONG_STORE';
  override readonly kind = 'forbidden';
}

export class WrongTerminalError extends DomainError {
  readonly code = 'WRONG_TERMINAL';
  override readonly kind = 'forbidden';
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
