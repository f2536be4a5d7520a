import { Injectable } from '@nestjs/common';
import { Offer } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

interface OfferRow {
  id: string;
  code: string;
  shopper_id: string;
  rule_id: string;
  reward: Offer['reward'];
  valid_from: Date;
  valid_until: Date;
  redeemed: boolean;
}

export type CheckoutOffer = Offer & { redeemed: boolean };

function toOffer(row: OfferRow): CheckoutOffer {
  return {
    id: row.id,
    code: row.code,
    shopperId: row.shopper_id,
    ruleId: row.rule_id,
    reward: row.reward,
    validFrom: row.valid_from.toISOString(),
    validUntil: row.valid_until.toISOString(),
    redeemed: row.redeemed,
  };
}

const OFFER_COLUMNS = `o.id, o.code, o.shopper_id, o.rule_id, o.reward, o.valid_from, o.valid_until,
  EXISTS (SELECT 1 FROM loyalty.redemptions r WHERE r.offer_id = o.id) AS redeemed`;

/**
 * Named queries over tables other apps own, read at the checkout: `ingest.cards` (pos-ingest) maps
 * a card to its shopper; `coupons.offers` (coupon-engine) holds issued offers. Whether an offer was
 * redeemed is decided here, by `loyalty.redemptions`.
 */
@Injectable()
export class CheckoutOffersQuery {
  async shopperForCard(manager: EntityManager, cardNumber: string): Promise<string | null> {
    const rows: { shopper_id: string }[] = await manager.query(
      `SELECT shopper_id FROM ingest.cards WHERE card_number = $1 AND status = 'active'`,
      [cardNumber],
    );
    return rows[0]?.shopper_id ?? null;
  }

  /** The shopper's issued offers valid at `now` and not redeemed, oldest first. */
  async liveOffers(manager: EntityManager, shopperId: string, now: Date): Promise<CheckoutOffer[]> {
    const rows: OfferRow[] = await manager.query(
      `SELECT ${OFFER_COLUMNS} FROM coupons.offers o
        WHERE o.shopper_id = $1 AND o.state = 'issued' AND o.valid_from <= $2 AND o.valid_until > $2
          AND NOT EXISTS (SELECT 1 FROM loyalty.redemptions r WHERE r.offer_id = o.id)
        ORDER BY o.issued_at, o.code`,
      [shopperId, now],
    );
    return rows.map(toOffer);
  }

  async offersByCode(manager: EntityManager, codes: readonly string[]): Promise<CheckoutOffer[]> {
    const rows: OfferRow[] = await manager.query(
      `SELECT ${OFFER_COLUMNS} FROM coupons.offers o WHERE o.code = ANY($1::text[])`,
      [codes],
    );
    return rows.map(toOffer);
  }
}
