import { Injectable } from '@nestjs/common';
import { OfferOnFile } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

interface OfferRow {
  id: string;
  code: string;
  shopper_id: string;
  rule_id: string;
  reward: OfferOnFile['reward'];
  state: OfferOnFile['state'];
  valid_from: Date;
  valid_until: Date;
  issued_at: Date;
  redeemed_at_store: string | null;
  redeemed_for_transaction: string | null;
}

function toOffer(row: OfferRow): OfferOnFile {
  return {
    id: row.id,
    code: row.code,
    shopperId: row.shopper_id,
    ruleId: row.rule_id,
    reward: row.reward,
    state: row.state,
    validFrom: row.valid_from.toISOString(),
    validUntil: row.valid_until.toISOString(),
    issuedAt: row.issued_at.toISOString(),
    redemption:
      row.redeemed_at_store !== null && row.redeemed_for_transaction !== null
        ? { storeId: row.redeemed_at_store, posTransactionId: row.redeemed_for_transaction }
        : null,
  };
}

const OFFERS = `
  SELECT o.id, o.code, o.shopper_id, o.rule_id, o.reward, o.state, o.valid_from, o.valid_until, o.issued_at,
         r.store_id AS redeemed_at_store, r.pos_transaction_id AS redeemed_for_transaction
    FROM coupons.offers o
    LEFT JOIN loyalty.redemptions r ON r.offer_id = o.id`;

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

  /** The shopper's issued offers valid at `now` and not redeemed. */
  async liveOffers(manager: EntityManager, shopperId: string, now: Date): Promise<OfferOnFile[]> {
    const rows: OfferRow[] = await manager.query(
      `${OFFERS}
        WHERE o.shopper_id = $1 AND o.state = 'issued' AND o.valid_from <= $2 AND o.valid_until > $2
          AND r.offer_id IS NULL`,
      [shopperId, now],
    );
    return rows.map(toOffer);
  }

  async offersByCode(
    manager: EntityManager,
    codes: readonly string[],
  ): Promise<Map<string, OfferOnFile>> {
    const rows: OfferRow[] = await manager.query(`${OFFERS} WHERE o.code = ANY($1::text[])`, [
      codes,
    ]);
    return new Map(rows.map((row) => [row.code, toOffer(row)]));
  }
}
