import { Injectable, Logger } from '@nestjs/common';
import {
  CheckoutRef,
  LimitsByRule,
  judgeOfflineOffer,
  pointsBackForReturn,
  reinstatedState,
  returnOutcome,
} from '@loyalty/domain';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { PointsLedger } from '../points/points-ledger';
import { CheckoutOffersQuery } from './checkout-offers.query';
import { Redemption } from './redemption.entity';
import {
  lockCheckoutTransaction,
  lockHouseholdRedemptions,
  pointsSpentCause,
} from './checkout-locks';
import { RuleLimitsQuery } from './rule-limits.query';
import { SettlementTransactionDto } from './settlement.dto';

/** An offer a return gives back the discount of, as the POS named it. */
interface GivenBack {
  code: string;
  redemptionId?: string;
  discountCents: number;
}

interface RedemptionRow {
  id: string;
  offer_id: string;
  offer_code: string;
  shopper_id: string;
  rule_id: string | null;
  discount_cents: number;
  returned_cents: number;
  bonus_points: number;
  cancelled_at: Date | null;
}

/** How a void or return names itself where it changed something: `store:posTransactionId`. */
function settlementKey(ref: CheckoutRef): string {
  return `${ref.storeId}:${ref.posTransactionId}`;
}

/**
 * Settles what the lanes did once their transactions arrive (`pos.transaction-recorded.v1`): a
 * void cancels its sale's redemptions, a return gives back the discounts it names, and a sale
 * carrying offers an offline lane applied redeems them late, or lists a conflict for staff. Each
 * transaction is settled once (`loyalty.checkout_settlements`), in whatever order they come.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly offers: CheckoutOffersQuery,
    private readonly rules: RuleLimitsQuery,
    private readonly points: PointsLedger,
    private readonly config: LoyaltyApiConfig,
  ) {}

  async settle(transactions: readonly SettlementTransactionDto[], now = new Date()) {
    for (const tx of transactions)
      await this.dataSource.transaction((m) => this.settleOne(m, tx, now));
  }

  private async settleOne(m: EntityManager, tx: SettlementTransactionDto, now: Date) {
    const original = tx.type === 'sale' ? tx.posTransactionId : tx.originalPosTransactionId;
    if (original === undefined) return;
    await lockCheckoutTransaction(m, tx.storeId, original);
    const givenBack: GivenBack[] = tx.type === 'return' ? (tx.appliedOffers ?? []) : [];
    const recorded: unknown[] = await m.query(
      `INSERT INTO loyalty.checkout_settlements
         (store_id, pos_transaction_id, type, original_pos_transaction_id, applied_offers,
          refunded_cents, occurred_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [
        tx.storeId,
        tx.posTransactionId,
        tx.type,
        tx.type === 'sale' ? null : original,
        JSON.stringify(givenBack),
        tx.type === 'return' ? tx.totalCents : 0,
        tx.occurredAt,
      ],
    );
    if (recorded.length === 0) return;
    const settlement = { storeId: tx.storeId, posTransactionId: tx.posTransactionId };
    if (tx.type !== 'sale') await this.lockHouseholdsOfSale(m, tx.storeId, original);
    switch (tx.type) {
      case 'void':
        return this.settleVoid(m, settlement, original, now);
      case 'return':
        await this.giveBackPoints(m, settlement, original, tx.totalCents, now);
        return this.settleReturn(m, settlement, original, givenBack, now);
      case 'sale':
        return this.settleOfflineSale(m, tx, now);
    }
  }

  /**
   * Takes the redemption lock of the households the sale used offers or points of, in id order,
   * before any row: the household's redemptions at the lanes take it first too, so a void never
   * locks a budget and then waits for a points account a lane holds while it waits for the budget.
   */
  private async lockHouseholdsOfSale(m: EntityManager, storeId: string, original: string) {
    const households: { household_id: string }[] = await m.query(
      `SELECT shopper_id AS household_id FROM loyalty.redemptions
        WHERE store_id = $1 AND pos_transaction_id = $2
       UNION
       SELECT household_id FROM loyalty.points_ledger
        WHERE source_type = 'redemption' AND source_id = $3
       ORDER BY 1`,
      [storeId, original, pointsSpentCause(storeId, original)],
    );
    for (const { household_id } of households) await lockHouseholdRedemptions(m, household_id);
  }

  /**
   * A void cancels every redemption of its sale and gives back the points that paid it (what
   * returns did not give back already). A void of a return changes nothing here: it finds no
   * redemption, and the return's give-backs stand.
   */
  private async settleVoid(m: EntityManager, settlement: CheckoutRef, original: string, now: Date) {
    const active = (await this.redemptionsOf(m, settlement.storeId, original)).filter(
      (r) => r.cancelled_at === null,
    );
    await this.giveBack(
      m,
      active.map((r) => ({
        r,
        budgetBackCents: r.discount_cents - r.returned_cents,
        cancels: true,
      })),
      settlement,
      now,
    );
    await this.giveBackPoints(m, settlement, original, null, now);
  }

  /**
   * A return gives back the discounts it names (by redemption id, or by code for an offer an
   * offline lane applied); one giving back a redemption's whole discount cancels it. When its
   * sale's redemptions are not known yet (an offline sale still to come), it waits for them.
   */
  private async settleReturn(
    m: EntityManager,
    settlement: CheckoutRef,
    original: string,
    givenBack: readonly GivenBack[],
    now: Date,
  ) {
    if (givenBack.length === 0) return;
    const redemptions = await this.redemptionsOf(m, settlement.storeId, original);
    if (redemptions.length === 0) {
      await m.query(
        `UPDATE loyalty.checkout_settlements SET pending = true
          WHERE store_id = $1 AND pos_transaction_id = $2`,
        [settlement.storeId, settlement.posTransactionId],
      );
      return;
    }
    const outcomes: { r: RedemptionRow; budgetBackCents: number; cancels: boolean }[] = [];
    for (const back of givenBack) {
      const r = redemptions.find((r) =>
        back.redemptionId === undefined
          ? r.offer_code === back.code && r.cancelled_at === null
          : r.id === back.redemptionId,
      );
      if (!r || r.cancelled_at !== null || outcomes.some((o) => o.r === r)) continue;
      const outcome = returnOutcome(
        { discountCents: r.discount_cents, returnedCents: r.returned_cents },
        back.discountCents,
      );
      outcomes.push({ r, ...outcome });
    }
    await this.giveBack(m, outcomes, settlement, now);
  }

  /**
   * Gives the rules back their budget first (in rule order, as redemptions spend them), then
   * records what came back of each redemption and cancels those that came back whole.
   */
  private async giveBack(
    m: EntityManager,
    outcomes: readonly { r: RedemptionRow; budgetBackCents: number; cancels: boolean }[],
    settlement: CheckoutRef,
    now: Date,
  ) {
    const byRule = new Map<string, number>();
    for (const { r, budgetBackCents } of outcomes)
      if (r.rule_id !== null && budgetBackCents > 0)
        byRule.set(r.rule_id, (byRule.get(r.rule_id) ?? 0) + budgetBackCents);
    for (const ruleId of [...byRule.keys()].sort())
      await m.query(
        `UPDATE loyalty.rule_budgets
            SET spent_cents = greatest(0, spent_cents - $2), updated_at = now()
          WHERE rule_id = $1`,
        [ruleId, byRule.get(ruleId)],
      );
    for (const { r, budgetBackCents, cancels } of outcomes) {
      if (cancels) await this.cancel(m, r, settlement, now);
      else if (budgetBackCents > 0)
        await m.query(
          `UPDATE loyalty.redemptions SET returned_cents = returned_cents + $2 WHERE id = $1`,
          [r.id, budgetBackCents],
        );
    }
  }

  /**
   * Gives back the points that paid the sale: all that are still spent (a void, `refundedCents`
   * null), or the refund's share of the sale's total (a return).
   */
  private async giveBackPoints(
    m: EntityManager,
    settlement: CheckoutRef,
    original: string,
    refundedCents: number | null,
    now: Date,
  ) {
    const { storeId } = settlement;
    const spentCause = pointsSpentCause(storeId, original);
    const [spent]: { household_id: string; points: string; total_cents: string | null }[] =
      await m.query(
        `SELECT l.household_id, -l.points AS points, r.answer ->> 'totalCents' AS total_cents
           FROM loyalty.points_ledger l
           LEFT JOIN loyalty.checkout_requests r
             ON r.store_id = $2 AND r.pos_transaction_id = $3
          WHERE l.source_type = 'redemption' AND l.source_id = $1`,
        [spentCause, storeId, original],
      );
    if (!spent) return;
    const [{ back }]: { back: string }[] = await m.query(
      `SELECT coalesce(sum(points_back), 0) AS back FROM loyalty.checkout_settlements
        WHERE store_id = $1 AND original_pos_transaction_id = $2`,
      [storeId, original],
    );
    const points = Number(spent.points);
    const due =
      refundedCents === null
        ? points - Number(back)
        : pointsBackForReturn(points, Number(spent.total_cents ?? 0), refundedCents, Number(back));
    const given = await this.points.giveBackSpent(
      m,
      spent.household_id,
      due,
      spentCause,
      `checkout-settlement:${settlementKey(settlement)}`,
      now,
    );
    await m.query(
      `UPDATE loyalty.checkout_settlements SET points_back = $2
        WHERE store_id = $1 AND pos_transaction_id = $3`,
      [storeId, given, settlement.posTransactionId],
    );
  }

  /**
   * Redeems, as of the sale's time, the offers an offline lane applied (those it names without a
   * redemption). One that could not have been redeemed then (used elsewhere, not the shopper's,
   * over its budget or cap...) is not redeemed: it becomes a conflict for staff, never a second
   * use. A sale already voided redeems nothing.
   */
  private async settleOfflineSale(m: EntityManager, tx: SettlementTransactionDto, now: Date) {
    const [voided]: unknown[] = await m.query(
      `SELECT 1 FROM loyalty.checkout_settlements
        WHERE store_id = $1 AND original_pos_transaction_id = $2 AND type = 'void'`,
      [tx.storeId, tx.posTransactionId],
    );
    if (voided) return;
    const applied = (tx.appliedOffers ?? []).filter(
      (o) => o.redemptionId === undefined && o.discountCents > 0,
    );
    const card = tx.cardNumber
      ? await this.offers.shopperForCard(m, tx.cardNumber, this.config.erasureHashKey)
      : null;
    const householdId = card?.householdId ?? null;
    if (householdId !== null) await lockHouseholdRedemptions(m, householdId);
    const at = new Date(tx.occurredAt);
    const onFile = await this.offers.offersByCode(
      m,
      applied.map((o) => o.code),
    );
    const { limits, capPeriods } =
      householdId === null
        ? { limits: new Map() as LimitsByRule, capPeriods: new Map<string, string>() }
        : await this.rules.load(
            m,
            householdId,
            [...onFile.values()].map((o) => o.ruleId),
            at,
            this.config.PROGRAMME_TIME_ZONE,
          );
    // Budgets are spent in rule order, as the lanes' redemptions spend them.
    const ruleOf = (code: string) => onFile.get(code)?.ruleId ?? '';
    applied.sort((a, b) => ruleOf(a.code).localeCompare(ruleOf(b.code)));
    for (const entry of applied) {
      const offer = onFile.get(entry.code);
      const ruleLimits = offer && limits.get(offer.ruleId);
      let verdict = judgeOfflineOffer(
        offer,
        householdId,
        { storeId: tx.storeId, posTransactionId: tx.posTransactionId },
        at,
        entry.discountCents,
        ruleLimits,
      );
      if (verdict === 'redeemed-here') continue;
      if (verdict === 'redeem' && offer && ruleLimits?.budget) {
        const paid = await this.rules.spend(
          m,
          offer.ruleId,
          entry.discountCents,
          ruleLimits.budget.budgetCents,
        );
        if (paid) ruleLimits.budget.spentCents += entry.discountCents;
        else verdict = 'budget-exhausted';
      }
      if (verdict !== 'redeem' || !offer || householdId === null) {
        await m.query(
          `INSERT INTO loyalty.checkout_conflicts
             (id, store_id, pos_transaction_id, terminal_id, offer_code, shopper_id, discount_cents,
              reason, occurred_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
          [
            randomUUID(),
            tx.storeId,
            tx.posTransactionId,
            tx.terminalId,
            entry.code,
            householdId,
            entry.discountCents,
            verdict,
            at,
          ],
        );
        this.logger.warn(
          {
            storeId: tx.storeId,
            posTransactionId: tx.posTransactionId,
            offerCode: entry.code,
            verdict,
          },
          'An offline lane applied an offer that could not be redeemed: a conflict for staff',
        );
        continue;
      }
      if (ruleLimits?.cap) ruleLimits.cap.used += 1;
      await m.insert(Redemption, {
        id: randomUUID(),
        offerId: offer.id,
        offerCode: offer.code,
        shopperId: householdId,
        storeId: tx.storeId,
        terminalId: tx.terminalId,
        posTransactionId: tx.posTransactionId,
        discountCents: entry.discountCents,
        bonusPoints: 0,
        redeemedAt: at,
        ruleId: offer.ruleId,
        capPeriod: capPeriods.get(offer.ruleId) ?? null,
        source: 'offline',
      });
      await m.query(
        `UPDATE loyalty.offers
            SET state = 'redeemed', state_changed_at = $2, store_id = $3, pos_transaction_id = $4
          WHERE id = $1`,
        [offer.id, at, tx.storeId, tx.posTransactionId],
      );
    }
    await this.settlePendingReturns(m, tx.storeId, tx.posTransactionId, now);
  }

  /** Returns that came before their offline sale's redemptions, settled now that they exist. */
  private async settlePendingReturns(
    m: EntityManager,
    storeId: string,
    original: string,
    now: Date,
  ) {
    const pending: { pos_transaction_id: string; applied_offers: GivenBack[] }[] = await m.query(
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, count], not rows.
      `WITH settled AS (
         UPDATE loyalty.checkout_settlements SET pending = false
          WHERE store_id = $1 AND original_pos_transaction_id = $2 AND pending
         RETURNING pos_transaction_id, applied_offers)
       SELECT * FROM settled ORDER BY pos_transaction_id`,
      [storeId, original],
    );
    for (const r of pending)
      await this.settleReturn(
        m,
        { storeId, posTransactionId: r.pos_transaction_id },
        original,
        r.applied_offers,
        now,
      );
  }

  private async redemptionsOf(
    m: EntityManager,
    storeId: string,
    posTransactionId: string,
  ): Promise<RedemptionRow[]> {
    return m.query(
      `SELECT id::text, offer_id, offer_code, shopper_id, rule_id, discount_cents, returned_cents,
              bonus_points, cancelled_at
         FROM loyalty.redemptions WHERE store_id = $1 AND pos_transaction_id = $2
        ORDER BY redeemed_at, id FOR UPDATE`,
      [storeId, posTransactionId],
    );
  }

  /**
   * Cancels a redemption (its rule got back its budget already): it counts no more against its
   * household's cap, its offer goes back to the wallet (`reinstatedState`), and the points its
   * points reward booked are taken back.
   */
  private async cancel(m: EntityManager, r: RedemptionRow, by: CheckoutRef, now: Date) {
    await m.query(
      `UPDATE loyalty.redemptions SET cancelled_at = $2, cancelled_by = $3 WHERE id = $1`,
      [r.id, now, settlementKey(by)],
    );
    const [offer]: {
      valid_until: Date;
      clipped_at: Date | null;
      withdrawal: 'expired' | 'revoked' | null;
    }[] = await m.query(
      `SELECT o.valid_until, o.clipped_at, w.kind AS withdrawal
         FROM loyalty.offers o LEFT JOIN loyalty.offer_withdrawals w ON w.offer_id = o.id
        WHERE o.id = $1 AND o.state = 'redeemed'
        FOR UPDATE OF o`,
      [r.offer_id],
    );
    if (offer) {
      const state = reinstatedState(
        {
          validUntil: offer.valid_until.toISOString(),
          clippedAt: offer.clipped_at?.toISOString() ?? null,
          withdrawal: offer.withdrawal,
        },
        now,
      );
      await m.query(
        `UPDATE loyalty.offers
            SET state = $2, store_id = NULL, pos_transaction_id = NULL,
                state_changed_at = CASE WHEN $2 IN ('issued', 'clipped') THEN NULL ELSE $3::timestamptz END
          WHERE id = $1`,
        [r.offer_id, state, now],
      );
    }
    await this.points.reverseOfferPoints(m, r.shopper_id, r.bonus_points, r.id, now);
  }
}
