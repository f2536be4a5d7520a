import { Injectable } from '@nestjs/common';
import {
  CardStatus,
  CheckoutRef,
  LimitsByRule,
  DEFAULT_CHECKOUT_TERMS,
  Offer,
  OfferIssuedV2,
  OfferState,
  OfferTerms,
  Tier,
  USABLE_OFFER_STATES,
  assertNever,
  householdIdForCard,
  erasureHash,
} from '@loyalty/domain';
import { queryPrepared } from '@loyalty/platform';
import { DataSource, EntityManager } from 'typeorm';
import {
  CapPeriods,
  RuleLimitsRow,
  capPeriodKeys,
  ruleLimitsSql,
  toRuleLimits,
} from './rule-limits.query';

interface OfferRow {
  id: string;
  code: string;
  shopper_id: string;
  rule_id: string;
  reward: OfferTerms['reward'];
  /** Null for an offer issued before offers carried their terms. */
  terms: OfferIssuedV2['terms'] | null;
  // Dates, or their JSON text when read through json_agg.
  valid_from: Date | string;
  valid_until: Date | string;
  issued_at: Date | string;
  state: OfferState;
  clipped_at: Date | string | null;
  state_changed_at: Date | string | null;
  store_id: string | null;
  pos_transaction_id: string | null;
}

const iso = (at: Date | string): string => new Date(at).toISOString();

// The table's CHECK constraints guarantee the columns each state needs are set.
function toOffer(row: OfferRow): Offer {
  const terms: OfferTerms = {
    id: row.id,
    code: row.code,
    shopperId: row.shopper_id,
    ruleId: row.rule_id,
    reward: row.reward,
    validFrom: iso(row.valid_from),
    validUntil: iso(row.valid_until),
    issuedAt: iso(row.issued_at),
    ...(row.terms === null
      ? DEFAULT_CHECKOUT_TERMS
      : {
          priority: row.terms.priority,
          stacking: row.terms.stacking,
          stackingGroup: row.terms.stackingGroup,
          stores: row.terms.stores,
          clipRequired: row.terms.clipRequired ?? false,
        }),
  };
  const changedAt = row.state_changed_at === null ? '' : iso(row.state_changed_at);
  const checkout = {
    storeId: row.store_id as string,
    posTransactionId: row.pos_transaction_id as string,
  };
  switch (row.state) {
    case 'issued':
      return { ...terms, state: 'issued' };
    case 'clipped':
      return { ...terms, state: 'clipped', clippedAt: iso(row.clipped_at as Date) };
    case 'reserved':
      return {
        ...terms,
        state: 'reserved',
        clippedAt: row.clipped_at === null ? null : iso(row.clipped_at),
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
  SELECT id, code, shopper_id, rule_id, reward, terms, valid_from, valid_until, issued_at, state, clipped_at,
         state_changed_at, store_id, pos_transaction_id
    FROM loyalty.offers`;

/** The household a card buys for at the till, and the card's status there. */
export interface CardAtTill {
  householdId: string;
  status: CardStatus;
}

/** Everything a quote reads of a card's shopper, in one statement (`CheckoutOffersQuery.atTill`). */
export interface ShopperAtTill {
  card: CardAtTill;
  /** The account holder's names, when the household registered them. */
  givenName: string | null;
  familyName: string | null;
  /** The household's tier, as loyalty-api's copy of pos-ingest's profiles holds it. */
  tier: Tier | null;
  pointsBalance: number;
  offers: Offer[];
  limits: LimitsByRule;
  /** The period each capped rule counts a use made now in. */
  capPeriods: CapPeriods;
}

/**
 * The checkout's reads: the card's household (`loyalty.cards`) and the wallet (`loyalty.offers`),
 * both loyalty-api's own.
 */
@Injectable()
export class CheckoutOffersQuery {
  constructor(private readonly dataSource: DataSource) {}

  /** In the caller's transaction, or (none) as a prepared statement on the pool. */
  private read<Row>(
    manager: EntityManager | null,
    name: string,
    text: string,
    values: unknown[],
  ): Promise<Row[]> {
    return manager === null
      ? queryPrepared<Row>(this.dataSource, name, text, values)
      : manager.query(text, values);
  }

  /**
   * A registered card's household and status. A card no household registered buys for its own
   * household (`householdIdForCard`), known once it holds offers or points; a card of an erased
   * household (found by its hash under `erasureHashKey`) is unknown for good (null).
   */
  async shopperForCard(
    manager: EntityManager,
    cardNumber: string,
    erasureHashKey: string,
  ): Promise<CardAtTill | null> {
    const derived = householdIdForCard(cardNumber);
    const [row]: {
      household_id: string | null;
      status: CardStatus | null;
      erased: boolean;
      seen: boolean;
    }[] = await manager.query(
      `SELECT c.household_id, c.status,
              EXISTS (SELECT 1 FROM loyalty.erased_cards WHERE card_hash = $2) AS erased,
              EXISTS (SELECT 1 FROM loyalty.offers WHERE shopper_id = $3)
                OR EXISTS (SELECT 1 FROM loyalty.points_accounts WHERE household_id = $3) AS seen
         FROM (SELECT 1) AS one
         LEFT JOIN loyalty.cards c ON c.card_number = $1`,
      [cardNumber, erasureHash(erasureHashKey, cardNumber), derived],
    );
    if (row.household_id !== null && row.status !== null)
      return { householdId: row.household_id, status: row.status };
    if (row.erased || !row.seen) return null;
    return { householdId: derived, status: 'active' };
  }

  /**
   * What the quote needs of a card's shopper, in one round trip: the card's household and status
   * (as `shopperForCard` decides them), the account holder's names, the tier, the points balance, the
   * usable offers (as `usableOffers` filters them, less those another checkout holds) and their
   * rules' limits (`ruleLimitsSql`). Null for an unknown card.
   */
  async atTill(
    manager: EntityManager | null,
    cardNumber: string,
    erasureHashKey: string,
    now: Date,
    timeZone: string,
    checkout: CheckoutRef | null = null,
  ): Promise<ShopperAtTill | null> {
    const periodKeys = capPeriodKeys(now, timeZone);
    const [row]: {
      household_id: string;
      status: CardStatus | null;
      erased: boolean;
      given_name: string | null;
      family_name: string | null;
      tier: Tier | null;
      balance: string | null;
      offers: OfferRow[];
      rules: RuleLimitsRow[];
    }[] = await this.read(
      manager,
      'checkout.at-till',
      `WITH card AS (
         SELECT coalesce(c.household_id, $3::uuid) AS household_id, c.status,
                EXISTS (SELECT 1 FROM loyalty.erased_cards WHERE card_hash = $2) AS erased
           FROM (SELECT 1) AS one
           LEFT JOIN loyalty.cards c ON c.card_number = $1
       ), offers AS (
         ${OFFERS}, card
          WHERE shopper_id = card.household_id AND state = ANY($4::text[])
            AND valid_from <= $5 AND valid_until > $5
            -- Not held by another checkout (held by this one is fine).
            AND NOT EXISTS (
              SELECT 1 FROM loyalty.checkout_reservations h
               WHERE h.offer_id = id AND h.expires_at > $5
                 AND (h.store_id, h.pos_transaction_id) IS DISTINCT FROM ($7::text, $8::text))
       )
       SELECT card.household_id, card.status, card.erased, s.given_name, s.family_name, t.tier,
              (SELECT balance FROM loyalty.points_accounts WHERE household_id = card.household_id) AS balance,
              coalesce((SELECT json_agg(offers) FROM offers), '[]') AS offers,
              coalesce((SELECT json_agg(rules) FROM (${ruleLimitsSql(
                'card.household_id',
                'SELECT DISTINCT rule_id FROM offers',
                '$6::jsonb',
              )}) AS rules), '[]') AS rules
         FROM card
         LEFT JOIN loyalty.shoppers s ON s.household_id = card.household_id AND s.account_holder
         LEFT JOIN loyalty.household_tiers t ON t.household_id = card.household_id`,
      [
        cardNumber,
        erasureHash(erasureHashKey, cardNumber),
        householdIdForCard(cardNumber),
        USABLE_OFFER_STATES,
        now,
        JSON.stringify(periodKeys),
        checkout?.storeId ?? null,
        checkout?.posTransactionId ?? null,
      ],
    );
    // A card no household registered is known once its own household holds offers or points.
    const known =
      row.status !== null || (!row.erased && (row.offers.length > 0 || row.balance !== null));
    if (!known) return null;
    return {
      card: { householdId: row.household_id, status: row.status ?? 'active' },
      givenName: row.given_name,
      familyName: row.family_name,
      tier: row.tier,
      pointsBalance: Number(row.balance ?? 0),
      offers: row.offers.map(toOffer),
      ...toRuleLimits(row.rules, periodKeys),
    };
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
