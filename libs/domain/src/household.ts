import { createHash, createHmac } from 'node:crypto';
import { luhnCheckDigit } from './card-number';
import { DomainError, assertNever } from './errors';
import { HouseholdChangedV1 } from './events/contracts';
import type { AgeBand, IncomeBand } from './rules/rule-model';
import { birthdayMonthDay } from './shopper-identity';

// A household account holds the cards of its members; points, caps and the behavioural profile
// are per household. A card seen at a till before anyone registered it belongs to a household of
// its own whose id is derived from the card number, so pos-ingest (which meets the card first)
// and loyalty-api (which owns households) agree on that id without asking each other; a shopper
// who registers the card later takes over that household and keeps its history.

// The namespace of derived household ids (a fixed random UUID).
const HOUSEHOLD_NAMESPACE = Buffer.from('6f1c3c52a9d44e0b8f7a2d35b1c9e0a4', 'hex');

/** The id of the household of a card no one has claimed: a name-based UUID (RFC 4122 v5). */
export function householdIdForCard(cardNumber: string): string {
  const hash = createHash('sha1').update(HOUSEHOLD_NAMESPACE).update(cardNumber).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * How every app remembers a value of an erased household (a card number, a sign-in): HMAC-SHA256
 * under the deployment's erasure key, enough to recognise the value again, not to recover it
 * (card numbers are few enough to guess through an unkeyed hash).
 */
export function erasureHash(key: string, value: string): Buffer {
  return createHmac('sha256', key).update(value).digest();
}

export const CARD_STATUSES = ['active', 'lost', 'blocked', 'replaced'] as const;
/** A lost, blocked or replaced card is refused at the till; its history stays with the household. */
export type CardStatus = (typeof CARD_STATUSES)[number];

export const CONSENT_PURPOSES = ['email', 'sms', 'personalisedOffers', 'profiling'] as const;
/** What the account holder agreed to: messages by channel, personalised offers, profiling. */
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export type Consent = Record<ConsentPurpose, boolean>;

/** Nothing is agreed until the account holder says so. */
export const NO_CONSENT: Consent = {
  email: false,
  sms: false,
  personalisedOffers: false,
  profiling: false,
};

/** A card's status changes: a shopper or support reports it lost, support blocks or replaces it. */
export const CARD_ACTIONS = ['reportLost', 'block', 'replace'] as const;
export type CardAction = (typeof CARD_ACTIONS)[number];

export class CardStateError extends DomainError {
  readonly code = 'CARD_STATE_CONFLICT';
  override readonly kind = 'conflict';
}

/**
 * The status a card takes for an action, and whether anything changed: reporting a lost card lost
 * again or blocking a blocked card is a retry that changes nothing. A replaced card is final; a
 * blocked card is not reported lost (support blocked it for a reason the shopper cannot lift).
 */
export function changeCardStatus(
  status: CardStatus,
  action: CardAction,
): { status: CardStatus; changed: boolean } {
  const to = (next: CardStatus) => ({ status: next, changed: next !== status });
  switch (status) {
    case 'active':
      return to(action === 'reportLost' ? 'lost' : action === 'block' ? 'blocked' : 'replaced');
    case 'lost':
      return to(action === 'reportLost' ? 'lost' : action === 'block' ? 'blocked' : 'replaced');
    case 'blocked':
      if (action === 'reportLost')
        throw new CardStateError('A blocked card cannot be reported lost', 'cardNumber');
      return to(action === 'block' ? 'blocked' : 'replaced');
    case 'replaced':
      throw new CardStateError('A replaced card changes no more', 'cardNumber');
    default:
      return assertNever(status);
  }
}

export class CardLostError extends DomainError {
  readonly code = 'CARD_LOST';
}

export class CardBlockedError extends DomainError {
  readonly code = 'CARD_BLOCKED';
}

export class CardReplacedError extends DomainError {
  readonly code = 'CARD_REPLACED';
}

/** Only an active card is used at a till; the others are refused with why. */
export function assertCardUsable(status: CardStatus): void {
  switch (status) {
    case 'active':
      return;
    case 'lost':
      throw new CardLostError('This card was reported lost', 'cardNumber');
    case 'blocked':
      throw new CardBlockedError('This card is blocked', 'cardNumber');
    case 'replaced':
      throw new CardReplacedError('This card was replaced by another one', 'cardNumber');
    default:
      return assertNever(status);
  }
}

/** What staff see of a card number: its last four digits. */
export function maskCardNumber(cardNumber: string): string {
  return `****${cardNumber.slice(-4)}`;
}

/**
 * What the till shows of a shopper, so the cashier can greet them without reading out who they
 * are: the given name and the family name's initial ("Maria S."); null without a name on file.
 */
export function maskShopperName(
  givenName: string | null,
  familyName: string | null,
): string | null {
  const given = givenName?.trim() ?? '';
  const initial = familyName?.trim().charAt(0).toUpperCase() ?? '';
  if (!given && !initial) return null;
  return [given, initial && `${initial}.`].filter(Boolean).join(' ');
}

export const ISSUED_CARD_LENGTH = 16;

/**
 * A new card number of ours: the prefix, then `randomDigits` (as many as fit), then the Luhn check
 * digit. The caller draws the digits.
 */
export function issueCardNumber(prefix: string, randomDigits: string): string {
  const needed = ISSUED_CARD_LENGTH - 1 - prefix.length;
  if (!/^\d+$/.test(randomDigits) || randomDigits.length < needed)
    throw new Error(`issueCardNumber needs ${needed} random digits`);
  const body = `${prefix}${randomDigits.slice(0, needed)}`;
  return `${body}${luhnCheckDigit(body)}`;
}

/** The household as the household-changed event needs it. */
export interface HouseholdSnapshot {
  householdId: string;
  registered: boolean;
  enrolledAt: Date | null;
  mergedInto: string | null;
  /** The account holder's birthday, `YYYY-MM-DD`. */
  birthday: string | null;
  homeStoreId: string | null;
  demographics: Demographics;
  consent: Consent;
  cards: { cardNumber: string; status: CardStatus }[];
}

/**
 * What the account holder declares about the household, each part optional ("prefer not to
 * say"): the holder's age band, how many people live in it (1 to 9, 9: nine or more; see
 * `RANGE_LIMITS.householdSize`), and its yearly income band.
 */
export interface Demographics {
  ageBand: AgeBand | null;
  householdSize: number | null;
  incomeBand: IncomeBand | null;
}

export const NO_DEMOGRAPHICS: Demographics = {
  ageBand: null,
  householdSize: null,
  incomeBand: null,
};

/**
 * The whole household at `version`. The enrolment day is the UTC calendar day of enrolment: the
 * platform's reporting day (stores' local days are rebuilt from the transactions' offsets).
 */
export function householdChangedEvent(
  household: HouseholdSnapshot,
  version: number,
  changedAt: Date,
): HouseholdChangedV1 {
  return {
    householdId: household.householdId,
    version,
    changedAt: changedAt.toISOString(),
    cards: [...household.cards].sort((a, b) => a.cardNumber.localeCompare(b.cardNumber)),
    mergedInto: household.mergedInto,
    registered: household.registered,
    enrolledOn: household.enrolledAt?.toISOString().slice(0, 10) ?? null,
    birthday: household.birthday ? birthdayMonthDay(household.birthday) : null,
    homeStoreId: household.homeStoreId,
    demographics: household.demographics,
    consent: household.consent,
  };
}

export class HouseholdNotFoundError extends DomainError {
  readonly code = 'HOUSEHOLD_NOT_FOUND';
  override readonly kind = 'notFound';
}

/** A lookup found several households (a phone or email they share): one must be chosen. */
export class SeveralHouseholdsError extends DomainError {
  readonly code = 'SEVERAL_HOUSEHOLDS';
  override readonly kind = 'conflict';
}

export class CardNotFoundError extends DomainError {
  readonly code = 'CARD_NOT_FOUND';
  override readonly kind = 'notFound';
}

export class CardAlreadyRegisteredError extends DomainError {
  readonly code = 'CARD_ALREADY_REGISTERED';
  override readonly kind = 'conflict';
}

/** The card belonged to an erased household: it is never registered again. */
export class CardErasedError extends DomainError {
  readonly code = 'CARD_ERASED';
  override readonly kind = 'conflict';
}

export class EmailAlreadyRegisteredError extends DomainError {
  readonly code = 'EMAIL_ALREADY_REGISTERED';
  override readonly kind = 'conflict';
}

/** This subject enrolled before with other details. */
export class AlreadyEnrolledError extends DomainError {
  readonly code = 'ALREADY_ENROLLED';
  override readonly kind = 'conflict';
}

export class MemberNotFoundError extends DomainError {
  readonly code = 'MEMBER_NOT_FOUND';
  override readonly kind = 'notFound';
}

/** Only the account holder changes the household (members, cards, consent). */
export class NotAccountHolderError extends DomainError {
  readonly code = 'NOT_ACCOUNT_HOLDER';
  override readonly kind = 'forbidden';
}
