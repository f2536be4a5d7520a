import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import {
  BudgetExhaustedError,
  CheckoutRef,
  EarnRate,
  IdempotencyKeyReusedError,
  LimitsByRule,
  Offer,
  OfferAlreadyRedeemedError,
  OfferRedeemedV1,
  OfferReservedError,
  OfferStateError,
  StackedQuote,
  TOPICS,
  TransactionIdReusedError,
  TransactionVoidedError,
  UnknownCardError,
  assertCardUsable,
  decideRedemption,
  maskCardNumber,
  maskShopperName,
  pointsFor,
  pointsPaymentCents,
  quoteBasket,
  receiptMessages,
} from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import {
  DeadlineExceededError,
  Terminal,
  claimIdempotencyKey,
  withDeadline,
} from '@loyalty/platform';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { PointsLedger } from '../points/points-ledger';
import { CheckoutOffersQuery, ShopperAtTill } from './checkout-offers.query';
import { HeldOffer, heldElsewhere, insertReservations, releaseReservations } from './reservations';
import { QuoteDto, QuoteRequestDto, RedeemRequestDto } from './checkout.dto';
import { Redemption } from './redemption.entity';
import { RuleLimitsQuery } from './rule-limits.query';
import {
  lockCheckoutTransaction,
  lockHouseholdRedemptions,
  pointsSpentCause,
} from './checkout-locks';

const UNIQUE_VIOLATION = '23505';

// The lane waits at most this long for us; then it sells without offers. A redemption that
// commits after its 503 is answered as before when the POS retries with the same transaction id.
const LANE_BUDGET_MS = 2_000;

/** What points paid of a checkout, and the balance before it (null: an unknown card). */
interface PointsPaid {
  pointsSpent: number;
  pointsPaidCents: number;
  pointsBalance: number | null;
}

function toQuoteDto(
  quote: StackedQuote,
  offers: readonly Offer[],
  cardKnown: boolean,
  points: PointsPaid,
  earnRate: EarnRate,
  redemptionIds: ReadonlyMap<string, string> = new Map(),
): QuoteDto {
  const validUntil = new Map(offers.map((o) => [o.code, o.validUntil]));
  const bonusPoints = quote.appliedOffers.reduce((sum, o) => sum + o.bonusPoints, 0);
  const pointsEarned = pointsFor(quote.totalCents, earnRate.pointsPerCurrencyUnit) + bonusPoints;
  return {
    cardKnown,
    subtotalCents: quote.subtotalCents,
    discountCents: quote.discountCents,
    totalCents: quote.totalCents,
    bonusPoints,
    pointsEarned,
    ...points,
    dueCents: quote.totalCents - points.pointsPaidCents,
    offers: quote.appliedOffers.map((applied) => ({
      ...applied,
      validUntil: validUntil.get(applied.code) as string,
      ...(redemptionIds.has(applied.code) ? { redemptionId: redemptionIds.get(applied.code) } : {}),
    })),
    notApplied: quote.leftOut,
    receiptMessages: receiptMessages(quote, offers, pointsEarned),
  };
}

/**
 * SHA-256 of what a redemption asks, in a fixed field order whatever the order the POS sent: a
 * retry hashes the same, anything else with the same POS transaction id does not.
 */
function requestHash(terminal: Terminal, dto: RedeemRequestDto): string {
  const canonical = JSON.stringify([
    terminal.terminalId,
    dto.cardNumber,
    // Category and brand only where given: a line without them hashes as before they existed.
    dto.lines.map((l) => [
      l.sku,
      l.department,
      l.quantity,
      l.amountCents,
      ...(l.category === undefined && l.brand === undefined ? [] : [l.category, l.brand]),
    ]),
    dto.offerCodes,
    // Only where given: a redemption without points hashes as before points could pay.
    ...(dto.pointsToSpend === undefined ? [] : [dto.pointsToSpend]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
  );
}

@Injectable()
export class CheckoutService {
  private readonly logger = new Logger(CheckoutService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly offers: CheckoutOffersQuery,
    private readonly outbox: Outbox,
    private readonly points: PointsLedger,
    private readonly rules: RuleLimitsQuery,
    private readonly config: LoyaltyApiConfig,
  ) {}

  /** The shopper's usable offers that apply to this basket; an unknown card simply has none. */
  quote(terminal: Terminal, dto: QuoteRequestDto, now: Date): Promise<QuoteDto> {
    return this.withinLaneBudget(terminal, 'quote', () => this.quoteNow(terminal, dto, now));
  }

  /**
   * Redeems the offers on this basket, all or none, once per idempotency key of the terminal and
   * once per store and POS transaction id. The request row is inserted first: a retry racing its
   * original waits on the key until the original commits, then reads its answer; two lanes racing
   * for one offer both insert a redemption, and the unique index on offer_id among redemptions not
   * cancelled lets exactly one commit (OFFER_ALREADY_REDEEMED for the other).
   */
  redeem(
    terminal: Terminal,
    dto: RedeemRequestDto,
    idempotencyKey: string,
    now: Date,
  ): Promise<QuoteDto> {
    return this.withinLaneBudget(terminal, 'redemption', () =>
      this.redeemNow(terminal, dto, idempotencyKey, now),
    );
  }

  /** Frees whatever this store's sale holds (nothing, if it holds nothing). */
  async release(terminal: Terminal, posTransactionId: string): Promise<void> {
    await releaseReservations(this.dataSource.manager, {
      storeId: terminal.storeId,
      posTransactionId,
    });
  }

  private async withinLaneBudget<T>(
    terminal: Terminal,
    what: string,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await withDeadline(work(), LANE_BUDGET_MS, `Checkout ${what}`);
    } catch (error) {
      if (!(error instanceof DeadlineExceededError)) throw error;
      this.logger.warn(
        { storeId: terminal.storeId, terminalId: terminal.terminalId, budgetMs: LANE_BUDGET_MS },
        `Checkout ${what} over the lane budget; the lane sells without offers`,
      );
      throw new ServiceUnavailableException({
        code: 'CHECKOUT_UNAVAILABLE',
        message: 'Sell without offers',
      });
    }
  }

  private async quoteNow(terminal: Terminal, dto: QuoteRequestDto, now: Date): Promise<QuoteDto> {
    if (dto.reserve && dto.posTransactionId !== undefined) {
      const checkout = { storeId: terminal.storeId, posTransactionId: dto.posTransactionId };
      return this.dataSource.transaction((m) => this.reserveNow(m, terminal, dto, checkout, now));
    }
    const shopper = await this.offers.atTill(
      null,
      dto.cardNumber,
      this.config.erasureHashKey,
      now,
      this.config.PROGRAMME_TIME_ZONE,
    );
    if (shopper) assertCardUsable(shopper.card.status);
    const quote = quoteBasket(
      dto.lines,
      shopper?.offers ?? [],
      terminal.storeId,
      this.config.earnRate,
      shopper?.limits ?? new Map(),
    );
    return this.quoteAnswer(dto, shopper, quote);
  }

  private quoteAnswer(
    dto: QuoteRequestDto,
    shopper: ShopperAtTill | null,
    quote: StackedQuote,
    reservedUntil?: string | null,
  ): QuoteDto {
    return {
      ...toQuoteDto(
        quote,
        shopper?.offers ?? [],
        shopper !== null,
        { pointsSpent: 0, pointsPaidCents: 0, pointsBalance: shopper?.pointsBalance ?? null },
        this.config.earnRate,
      ),
      shopper: shopper && {
        name: maskShopperName(shopper.givenName, shopper.familyName),
        card: maskCardNumber(dto.cardNumber),
        tier: shopper.tier,
      },
      ...(reservedUntil === undefined ? {} : { reservedUntil }),
    };
  }

  /**
   * A quote that holds its offers for the sale: under the household's lock (as its redemptions
   * take), the sale's earlier holds are released, the basket is quoted, and each applied offer is
   * held: its rule's budget must hold its discount beside what is spent and held (under the
   * budget's row lock, as spending takes it); a rule that cannot is left out as
   * `budget-exhausted` and the basket quoted again.
   */
  private async reserveNow(
    m: EntityManager,
    terminal: Terminal,
    dto: QuoteRequestDto,
    checkout: CheckoutRef,
    now: Date,
  ): Promise<QuoteDto> {
    const card = await this.offers.shopperForCard(m, dto.cardNumber, this.config.erasureHashKey);
    if (card) {
      assertCardUsable(card.status);
      await lockHouseholdRedemptions(m, card.householdId);
    }
    await releaseReservations(m, checkout);
    const shopper = await this.offers.atTill(
      m,
      dto.cardNumber,
      this.config.erasureHashKey,
      now,
      this.config.PROGRAMME_TIME_ZONE,
      checkout,
    );
    if (!shopper)
      return this.quoteAnswer(dto, null, quoteBasket(dto.lines, [], terminal.storeId), null);
    // A rule whose budget cannot hold what its offers give is left out, and the basket quoted
    // again without it: at most once per rule.
    const limits = new Map(shopper.limits);
    for (;;) {
      const quote = quoteBasket(
        dto.lines,
        shopper.offers,
        terminal.storeId,
        this.config.earnRate,
        limits,
      );
      const byCode = new Map(shopper.offers.map((o) => [o.code, o]));
      const held: HeldOffer[] = quote.appliedOffers.map((applied) => {
        const { id, ruleId } = byCode.get(applied.code) as Offer;
        const capPeriod = shopper.capPeriods.get(ruleId) ?? null;
        return { offerId: id, ruleId, discountCents: applied.discountCents, capPeriod };
      });
      const short = await this.firstBudgetShort(m, held, limits);
      if (short === null) {
        const expiresAt = new Date(
          now.getTime() + this.config.CHECKOUT_RESERVATION_SECONDS * 1_000,
        );
        await insertReservations(
          m,
          shopper.card.householdId,
          checkout,
          terminal.terminalId,
          held,
          now,
          expiresAt,
        );
        const reservedUntil = held.length > 0 ? expiresAt.toISOString() : null;
        return this.quoteAnswer(dto, shopper, quote, reservedUntil);
      }
      const { budgetCents } = limits.get(short)?.budget as { budgetCents: number };
      limits.set(short, {
        cap: limits.get(short)?.cap ?? null,
        budget: { budgetCents, spentCents: budgetCents },
      });
    }
  }

  /**
   * The first rule (in id order, as budgets are locked) whose budget cannot hold what the held
   * offers of it give beside what is spent and held already; null when every one can.
   */
  private async firstBudgetShort(
    m: EntityManager,
    held: readonly HeldOffer[],
    limits: LimitsByRule,
  ): Promise<string | null> {
    const byRule = new Map<string, number>();
    for (const h of held) byRule.set(h.ruleId, (byRule.get(h.ruleId) ?? 0) + h.discountCents);
    for (const ruleId of [...byRule.keys()].sort()) {
      const budget = limits.get(ruleId)?.budget;
      const cents = byRule.get(ruleId) as number;
      if (budget && cents > 0 && !(await this.rules.hold(m, ruleId, cents, budget.budgetCents)))
        return ruleId;
    }
    return null;
  }

  private async redeemNow(
    terminal: Terminal,
    dto: RedeemRequestDto,
    idempotencyKey: string,
    now: Date,
  ): Promise<QuoteDto> {
    const hash = requestHash(terminal, dto);
    return this.dataSource.transaction(async (manager) => {
      const earlier = await this.claimRequest(manager, terminal, dto, idempotencyKey, hash);
      if (earlier) return earlier;
      // Its settlement (a void arriving meanwhile) waits for this redemption, or went first.
      await lockCheckoutTransaction(manager, terminal.storeId, dto.posTransactionId);
      await this.assertNotVoided(manager, terminal.storeId, dto.posTransactionId);

      const card = await this.offers.shopperForCard(
        manager,
        dto.cardNumber,
        this.config.erasureHashKey,
      );
      if (!card) throw new UnknownCardError('No shopper holds this card', 'cardNumber');
      assertCardUsable(card.status);
      const shopperId = card.householdId;
      // A household's redemptions take turns, whatever card or lane: its caps are counted, then
      // written, by one at a time.
      await lockHouseholdRedemptions(manager, shopperId);
      // What this sale held is used or freed now; what another checkout holds is not ours.
      const checkout = { storeId: terminal.storeId, posTransactionId: dto.posTransactionId };
      await releaseReservations(manager, checkout);
      const onFile = await this.offers.offersByCode(manager, dto.offerCodes);
      const [held] = await heldElsewhere(
        manager,
        [...onFile.values()].map((o) => o.id),
        checkout,
        now,
      );
      if (held !== undefined)
        throw new OfferReservedError(
          `Offer ${[...onFile.values()].find((o) => o.id === held)?.code} is held by another checkout`,
          'offerCodes',
        );
      const { limits, capPeriods } = await this.rules.load(
        manager,
        shopperId,
        [...onFile.values()].map((o) => o.ruleId),
        now,
        this.config.PROGRAMME_TIME_ZONE,
      );
      const request = { ...dto, shopperId, storeId: terminal.storeId, codes: dto.offerCodes };
      const decision = decideRedemption(request, onFile, now, this.config.earnRate, limits);
      const pointsBalance = await this.points.balanceOf(manager, shopperId);
      const paid = { pointsSpent: 0, pointsPaidCents: 0, pointsBalance };
      if (dto.pointsToSpend !== undefined) {
        paid.pointsPaidCents = pointsPaymentCents(
          dto.pointsToSpend,
          decision.quote.totalCents,
          this.config.POINT_VALUE_CENTS_PER_100_POINTS,
        );
        // Atomic against the balance: two lanes cannot spend the same points.
        await this.points.redeem(
          manager,
          shopperId,
          dto.pointsToSpend,
          pointsSpentCause(terminal.storeId, dto.posTransactionId),
          now,
        );
        paid.pointsSpent = dto.pointsToSpend;
      }
      const ids = new Map(decision.offers.map((o) => [o.code, randomUUID()]));
      const answer = toQuoteDto(
        decision.quote,
        decision.offers,
        true,
        paid,
        this.config.earnRate,
        ids,
      );

      const applied = new Map(decision.quote.appliedOffers.map((a) => [a.code, a]));
      const redemptions = decision.offers.map((offer) => ({
        id: ids.get(offer.code) as string,
        offerId: offer.id,
        offerCode: offer.code,
        shopperId,
        storeId: terminal.storeId,
        terminalId: terminal.terminalId,
        posTransactionId: dto.posTransactionId,
        discountCents: applied.get(offer.code)?.discountCents as number,
        bonusPoints: applied.get(offer.code)?.bonusPoints as number,
        redeemedAt: now,
        ruleId: offer.ruleId,
        capPeriod: capPeriods.get(offer.ruleId) ?? null,
      }));
      try {
        if (redemptions.length > 0) await manager.insert(Redemption, redemptions);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new OfferAlreadyRedeemedError(
          'An offer was redeemed by another checkout just now',
          'offerCodes',
        );
      }
      await this.spendBudgets(manager, redemptions, limits);
      await this.markRedeemed(manager, decision.offers, terminal, dto.posTransactionId, now);
      // Points rewards: their points are booked with the redemption that earned them.
      for (const r of redemptions.filter((r) => r.bonusPoints > 0))
        await this.points.awardOfferPoints(manager, shopperId, r.bonusPoints, r.id, now);
      await this.outbox.append(
        manager,
        redemptions.map((r) => ({
          topic: TOPICS.offerRedeemed,
          key: shopperId,
          value: {
            offerId: r.offerId,
            code: r.offerCode,
            shopperId,
            storeId: r.storeId,
            terminalId: r.terminalId,
            posTransactionId: r.posTransactionId,
            discountCents: r.discountCents,
            redeemedAt: now.toISOString(),
          } satisfies OfferRedeemedV1,
        })),
      );
      await manager.query(
        `UPDATE loyalty.checkout_requests SET answer = $3::json
          WHERE store_id = $1 AND pos_transaction_id = $2`,
        [terminal.storeId, dto.posTransactionId, JSON.stringify(answer)],
      );
      return answer;
    });
  }

  /**
   * Records this redemption under the lane's idempotency key (scoped to its terminal), or answers
   * as the key's first request did (a retry: the same body; another body is 422). A request in
   * flight with the same key holds it: the insert waits for it and then finds its answer. The
   * store and POS transaction id are unique too: a retry of a sale under a new key gets the
   * sale's answer, another body for the sale 409.
   */
  private async claimRequest(
    manager: EntityManager,
    terminal: Terminal,
    dto: RedeemRequestDto,
    idempotencyKey: string,
    hash: string,
  ): Promise<QuoteDto | null> {
    const claim = await claimIdempotencyKey<{ answer: QuoteDto }>(
      manager,
      'loyalty.checkout_requests',
      ['terminal_id', 'idempotency_key'],
      'request_hash',
      {
        store_id: terminal.storeId,
        pos_transaction_id: dto.posTransactionId,
        terminal_id: terminal.terminalId,
        idempotency_key: idempotencyKey,
        request_hash: hash,
      },
    );
    switch (claim.kind) {
      case 'first':
        return null;
      case 'retry':
        return claim.earlier.answer;
      case 'reused':
        throw new IdempotencyKeyReusedError(
          'This Idempotency-Key was used by this terminal for another redemption',
          'idempotency-key',
        );
      case 'taken-otherwise': {
        const [sale]: { request_hash: string; answer: QuoteDto }[] = await manager.query(
          `SELECT request_hash, answer FROM loyalty.checkout_requests
            WHERE store_id = $1 AND pos_transaction_id = $2`,
          [terminal.storeId, dto.posTransactionId],
        );
        if (sale.request_hash === hash) return sale.answer;
        throw new TransactionIdReusedError(
          'This POS transaction id was used for another redemption at this store',
          'posTransactionId',
        );
      }
    }
  }

  private async assertNotVoided(m: EntityManager, storeId: string, posTransactionId: string) {
    const [voided]: unknown[] = await m.query(
      `SELECT 1 FROM loyalty.checkout_settlements
        WHERE store_id = $1 AND original_pos_transaction_id = $2 AND type = 'void'`,
      [storeId, posTransactionId],
    );
    if (voided)
      throw new TransactionVoidedError(
        'This POS transaction was voided; a new sale needs a new posTransactionId',
        'posTransactionId',
      );
  }

  /**
   * Spends each rule's budget by what its redemptions discount, in rule order (two checkouts
   * spending the same rules lock them in the same order). Another household's checkout may have
   * spent the budget since it was read: then all of this redemption is refused.
   */
  private async spendBudgets(
    manager: EntityManager,
    redemptions: readonly { ruleId: string; offerCode: string; discountCents: number }[],
    limits: LimitsByRule,
  ): Promise<void> {
    const byRule = new Map<string, { cents: number; code: string }>();
    for (const r of redemptions) {
      const sofar = byRule.get(r.ruleId);
      byRule.set(r.ruleId, { cents: (sofar?.cents ?? 0) + r.discountCents, code: r.offerCode });
    }
    for (const ruleId of [...byRule.keys()].sort()) {
      const budget = limits.get(ruleId)?.budget;
      const { cents, code } = byRule.get(ruleId) as { cents: number; code: string };
      if (!budget || cents === 0) continue;
      if (!(await this.rules.spend(manager, ruleId, cents, budget.budgetCents)))
        throw new BudgetExhaustedError(
          `Offer ${code}'s rule has not enough budget left for this discount`,
          'offerCodes',
        );
    }
  }

  /** Each offer's new state, as `decideRedemption` gave it; UNIQUE (offer_id) already decided. */
  private async markRedeemed(
    manager: EntityManager,
    offers: readonly Offer[],
    terminal: Terminal,
    posTransactionId: string,
    now: Date,
  ): Promise<void> {
    const [{ updated }]: { updated: number }[] = await manager.query(
      `WITH redeemed AS (
         UPDATE loyalty.offers
            SET state = 'redeemed', state_changed_at = $2, store_id = $3, pos_transaction_id = $4
          WHERE id = ANY($1::uuid[]) AND state IN ('issued', 'clipped', 'reserved')
         RETURNING id)
       SELECT count(*)::int AS updated FROM redeemed`,
      [offers.map((o) => o.id), now, terminal.storeId, posTransactionId],
    );
    // Another change (a revocation) committed between our read and this write: all or none.
    if (updated !== offers.length) {
      throw new OfferStateError('An offer changed while it was being redeemed', 'offerCodes');
    }
  }
}
