import { CardStatus } from './household';

// How a copy of loyalty-api's households decides which cards a household event claims. Events of
// different households arrive in any order, so a card goes to the household whose event listed it
// last by loyalty-api's clock (`changedAt`), never back to one whose event is older.

/** A card as the copy holds it. */
export interface HeldCard {
  cardNumber: string;
  shopperId: string;
  /** `changedAt` of the event that assigned the card, null while only a till has seen it. */
  householdChangedAt: string | null;
}

export interface CardClaims {
  /** Cards the event assigns (with their status); the others stay as a newer event left them. */
  claims: { cardNumber: string; status: CardStatus }[];
  /** Claimed cards that held another household: their history moves with them. */
  moves: { cardNumber: string; from: string }[];
}

export function planCardClaims(
  event: {
    householdId: string;
    changedAt: string;
    cards: readonly { cardNumber: string; status: CardStatus }[];
  },
  held: ReadonlyMap<string, HeldCard>,
): CardClaims {
  const at = Date.parse(event.changedAt);
  const claims: CardClaims['claims'] = [];
  const moves: CardClaims['moves'] = [];
  for (const card of event.cards) {
    const current = held.get(card.cardNumber);
    if (current?.householdChangedAt && Date.parse(current.householdChangedAt) >= at) continue;
    claims.push({ cardNumber: card.cardNumber, status: card.status });
    if (current && current.shopperId !== event.householdId) {
      moves.push({ cardNumber: card.cardNumber, from: current.shopperId });
    }
  }
  return { claims, moves };
}
