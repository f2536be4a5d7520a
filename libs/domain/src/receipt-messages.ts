import { Cents } from './money';
import { Offer } from './offer';
import { Reward, RewardTarget } from './rules/rule-model';
import { LeftOutReason, StackedQuote } from './stack-offers';

// What the till prints for the shopper at the end of the receipt: the points the basket earns,
// and the offers they hold for another visit. Plain text, one message a line, with what each is
// about, so a POS may lay them out its own way.

export const RECEIPT_MESSAGE_KINDS = ['points-earned', 'next-visit-offer', 'spend-more'] as const;
export type ReceiptMessageKind = (typeof RECEIPT_MESSAGE_KINDS)[number];

export interface ReceiptMessage {
  kind: ReceiptMessageKind;
  text: string;
  /** The offer it is about (next-visit-offer, spend-more). */
  code?: string;
}

/** Offers kept for another visit: usable, but nothing of them in this basket or beaten today. */
const NEXT_VISIT: readonly LeftOutReason[] = [
  'target-not-in-basket',
  'nothing-left',
  'stacking-group',
  'not-combinable',
];

/** At most this many offers are printed; the rest stay in the shopper's app. */
export const MAX_RECEIPT_OFFERS = 3;

export function formatCents(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function targetText(target: RewardTarget): string {
  if ('basket' in target) return 'your shopping';
  if ('department' in target) return target.department;
  if ('category' in target) return target.category;
  if ('brand' in target) return target.brand;
  return target.skus.length === 1 ? `item ${target.skus[0]}` : 'selected items';
}

/** A reward in a few words, as a receipt says it ("10% off DAIRY", "buy 2 get 1 free on ACME"). */
export function describeReward(reward: Reward): string {
  const on = targetText(reward.target);
  switch (reward.kind) {
    case 'percentOff':
      return `${reward.percent}% off ${on}`;
    case 'amountOff':
      return `${formatCents(reward.amountCents)} off ${on}`;
    case 'fixedPrice':
      return `${on} at ${formatCents(reward.priceCents)} each`;
    case 'buyXGetY':
      return `buy ${reward.buy} get ${reward.get} free on ${on}`;
    case 'freeItem':
      return `item ${reward.sku} free`;
    case 'pointsMultiplier':
      return `${reward.multiplier}x points on ${on}`;
    case 'bonusPoints':
      return `${reward.points} bonus points on ${on}`;
  }
}

/**
 * The receipt's messages for a quote: the points the basket earns (the programme's points on
 * what is paid, and the offers' bonus), then up to `MAX_RECEIPT_OFFERS` of the shopper's offers
 * left for another visit (the soonest to expire first), and how much more to spend for one whose
 * minimum the basket missed.
 */
export function receiptMessages(
  quote: StackedQuote,
  offers: readonly Offer[],
  pointsEarned: number,
): ReceiptMessage[] {
  const messages: ReceiptMessage[] = [];
  if (pointsEarned > 0)
    messages.push({
      kind: 'points-earned',
      text: `You earn ${pointsEarned} point${pointsEarned === 1 ? '' : 's'} today.`,
    });
  const byCode = new Map(offers.map((o) => [o.code, o]));
  const kept = quote.leftOut
    .flatMap(({ code, reason }) => {
      const offer = byCode.get(code);
      return offer ? [{ offer, reason }] : [];
    })
    .filter(({ reason }) => NEXT_VISIT.includes(reason) || reason === 'minimum-basket-not-met')
    .sort(
      (a, b) =>
        a.offer.validUntil.localeCompare(b.offer.validUntil) ||
        a.offer.code.localeCompare(b.offer.code),
    )
    .slice(0, MAX_RECEIPT_OFFERS);
  for (const { offer, reason } of kept) {
    const until = offer.validUntil.slice(0, 10);
    const what = describeReward(offer.reward);
    const minimum = offer.reward.minBasketCents ?? 0;
    messages.push(
      reason === 'minimum-basket-not-met'
        ? {
            kind: 'spend-more',
            code: offer.code,
            text: `Spend ${formatCents(minimum - quote.subtotalCents)} more for ${what} (code ${offer.code}, until ${until}).`,
          }
        : {
            kind: 'next-visit-offer',
            code: offer.code,
            text: `Next visit: ${what} with code ${offer.code}, until ${until}.`,
          },
    );
  }
  return messages;
}
