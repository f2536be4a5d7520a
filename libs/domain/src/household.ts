import { createHash } from 'node:crypto';

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
