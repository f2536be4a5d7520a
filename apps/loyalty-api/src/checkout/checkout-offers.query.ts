import { Injectable } from '@nestjs/common';
import { Offer, OfferState, OfferTerms, USABLE_OFFER_STATES, assertNever } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

interface OfferRow {
  id: string;
  code: string;
  shopper_id: string;
  rule_id: string;
  reward: OfferTerms['reward'];
  valid_from: Date;
  valid_until: Date;
  issued_at: Date;
  state: OfferState;
  clipped_at: Date | null;
  state_changed_at: Date | null;
  store_id: string | null;
  pos_transaction_id: string | null;
}

// The table's CHECK constraints guarantee the columns each state needs are set.
function toOffer(row: OfferRow): Offer {
  const terms: OfferTerms = {
    id: row.id,
    code: row.code,
    shopperId: row.shopper_id,
    ruleId: row.rule_id,
    reward: row.reward,
    validFrom: row.valid_from.toISOString(),
    validUntil: row.valid_until.toISOString(),
    issuedAt: row.issued_at.toISOString(),
  };
  const changedAt = row.state_changed_at?.toISOString() as string;
  const checkout = {
    storeId: row.store_id as string,
    posTransactionId: row.pos_transaction_id as string,
  };
  switch (row.state) {
    case 'issued':
      return { ...terms, state: 'issued' };
    case 'clipped':
      return { ...terms, state: 'clipped', clippedAt: (row.clipped_at as Date).toISOString() };
    case 'reserved':
      return {
        ...terms,
        state: 'reserved',
        clippedAt: row.clipped_at?.toISOString() ?? null,
        reservedAt: changedAt,
        checkout,
      };
    case 'redeemed':
      return { ...terms, state: 'redeemed', redeemedAt: changedAt, checkout };
    case 'expired':
      return { ...terms, state: 'expired', expiredAt: changedAt };
    case 'revoked':
      return { ...terms, state: 'revoked', revokedAt: changedAt };
    default:
      return assertNever(row.state);
  }
}

const OFFERS = `
  SELECT id, code, shopper_id, rule_id, reward, valid_from, valid_until, issued_at, state, clipped_at,
         state_changed_at, store_id, pos_transaction_id
    FROM loyalty.offers`;

/**
 * The checkout's reads: the shopper's wallet (`loyalty.offers`, loyalty-api's own) and the one
 * read of another app's table, `ingest.cards` (pos-ingest), which maps a card to its shopper.
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

  /**
   * The SQL pre-filter of `isOfferUsable` (the domain's rule, which the int-spec holds it to): the
   * shopper's offers in a usable state and within their validity at `now`.
   */
  async usableOffers(manager: EntityManager, shopperId: string, now: Date): Promise<Offer[]> {
    const rows: OfferRow[] = await manager.query(
      `${OFFERS}
        WHERE shopper_id = $1 AND state = ANY($2::text[]) AND valid_from <= $3 AND valid_until > $3`,
      [shopperId, USABLE_OFFER_STATES, now],
    );
    return rows.map(toOffer);
  }

  async offersByCode(
    manager: EntityManager,
    codes: readonly string[],
  ): Promise<Map<string, Offer>> {
    const rows: OfferRow[] = await manager.query(`${OFFERS} WHERE code = ANY($1::text[])`, [codes]);
    return new Map(rows.map((row) => [row.code, toOffer(row)]));
  }
}
