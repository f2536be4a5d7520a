import { Cents } from './money';
import { ShopperProfile, departmentSpend } from './profile';
import { StoreSum, WeekSum, sumStores, sumWeeks, sumsEffect } from './profile-sums';
import { PosTransaction, transactionKey } from './transaction';

// How transactions change profiles, points and store sales. Every change is a sum, and a void is
// the negation of its original, so the end state does not depend on the order of arrival.

/** What transactions do to one shopper's profile. */
export interface ProfileEffect {
  spendCents: Cents;
  visits: number;
  spendByDepartmentCents: Record<string, Cents>;
  points: number;
  /** Instants of sales that count as visits, for the first and last visit. */
  visitedAt: string[];
}

/** What transactions do to one store's trading day. */
export interface StoreDayEffect {
  storeId: string;
  businessDate: string;
  sales: number;
  returns: number;
  anonymousSales: number;
  salesCents: Cents;
  returnsCents: Cents;
}

/** Points earned on `amountCents`: whole points, `pointsPerCurrencyUnit` per 100 cents, rounded down. */
export function pointsFor(amountCents: Cents, pointsPerCurrencyUnit: number): number {
  return Math.floor((amountCents * pointsPerCurrencyUnit) / 100);
}

/**
 * The effect of one sale or return on its shopper's profile, times `sign` (-1 when it is voided).
 * A return reverses spend and points in proportion to what it refunds, at the rate sales earn.
 */
export function profileEffect(
  tx: PosTransaction,
  sign: 1 | -1,
  pointsPerCurrencyUnit: number,
): ProfileEffect {
  const direction = tx.type === 'sale' ? sign : tx.type === 'return' ? -sign : 0;
  const spendByDepartmentCents: Record<string, Cents> = Object.create(null);
  for (const line of tx.lines) {
    spendByDepartmentCents[line.department] =
      departmentSpend(spendByDepartmentCents, line.department) + direction * line.amountCents;
  }
  const isVisit = tx.type === 'sale';
  return {
    spendCents: direction * tx.totalCents,
    visits: isVisit ? sign : 0,
    spendByDepartmentCents,
    points: direction * pointsFor(tx.totalCents, pointsPerCurrencyUnit),
    visitedAt: isVisit && sign === 1 ? [new Date(tx.occurredAt).toISOString()] : [],
  };
}

export function storeDayEffect(tx: PosTransaction, sign: 1 | -1): StoreDayEffect {
  const isSale = tx.type === 'sale';
  const isReturn = tx.type === 'return';
  return {
    storeId: tx.storeId,
    businessDate: tx.businessDate,
    sales: isSale ? sign : 0,
    returns: isReturn ? sign : 0,
    anonymousSales: isSale && !tx.cardNumber ? sign : 0,
    salesCents: isSale ? sign * tx.totalCents : 0,
    returnsCents: isReturn ? sign * tx.totalCents : 0,
  };
}

export function addProfileEffects(a: ProfileEffect, b: ProfileEffect): ProfileEffect {
  const spendByDepartmentCents: Record<string, Cents> = Object.assign(
    Object.create(null),
    a.spendByDepartmentCents,
  );
  for (const [department, cents] of Object.entries(b.spendByDepartmentCents)) {
    spendByDepartmentCents[department] =
      departmentSpend(spendByDepartmentCents, department) + cents;
  }
  return {
    spendCents: a.spendCents + b.spendCents,
    visits: a.visits + b.visits,
    spendByDepartmentCents,
    points: a.points + b.points,
    visitedAt: [...a.visitedAt, ...b.visitedAt],
  };
}

/** Applies an effect; first and last visit only ever widen (a voided visit needs a recount). */
export function applyProfileEffect(profile: ShopperProfile, effect: ProfileEffect): ShopperProfile {
  const merged = addProfileEffects(
    {
      spendCents: 0,
      visits: 0,
      spendByDepartmentCents: profile.spendByDepartmentCents,
      points: 0,
      visitedAt: [],
    },
    effect,
  );
  // A department whose spend came back to zero is dropped, as if never bought: order-independent.
  for (const [department, cents] of Object.entries(merged.spendByDepartmentCents)) {
    if (cents === 0) delete merged.spendByDepartmentCents[department];
  }
  const visits = [profile.firstVisitAt, profile.lastVisitAt, ...effect.visitedAt].filter(
    (v): v is string => v !== null,
  );
  visits.sort();
  return {
    shopperId: profile.shopperId,
    lifetimeSpendCents: profile.lifetimeSpendCents + effect.spendCents,
    visits: profile.visits + effect.visits,
    firstVisitAt: visits[0] ?? null,
    lastVisitAt: visits.at(-1) ?? null,
    spendByDepartmentCents: merged.spendByDepartmentCents,
    pointsBalance: profile.pointsBalance + effect.points,
  };
}

/** A transaction already stored, and whether a void has cancelled it. */
export interface StoredTransaction {
  tx: PosTransaction;
  voided: boolean;
}

export interface ProjectionPlan {
  /** Transactions whose effect applies now: +1 new ones, -1 stored ones voided now. */
  effects: { tx: PosTransaction; sign: 1 | -1; cause: PosTransaction }[];
  /** Keys of transactions that are voided from now on. */
  voided: string[];
}

/**
 * Decides what a batch of new (never stored before) transactions changes. `stored` holds, by key,
 * the originals that new voids refer to (new or old); `voidedEarlier` the keys of new transactions
 * that a void seen in an earlier batch already cancelled. A void cancels a sale or return once;
 * a void of a void, or of an unknown transaction, changes nothing (until the original arrives).
 */
export function planProjection(
  fresh: readonly PosTransaction[],
  stored: ReadonlyMap<string, StoredTransaction>,
  voidedEarlier: ReadonlySet<string>,
): ProjectionPlan {
  const freshKeys = new Set(fresh.map(transactionKey));
  const voided = new Set<string>();
  const effects: ProjectionPlan['effects'] = [];
  for (const tx of fresh) {
    if (tx.type !== 'void' && voidedEarlier.has(transactionKey(tx))) voided.add(transactionKey(tx));
  }
  for (const voidTx of fresh.filter((tx) => tx.type === 'void')) {
    const key = transactionKey({
      storeId: voidTx.storeId,
      posTransactionId: voidTx.originalPosTransactionId ?? '',
    });
    const original = stored.get(key);
    if (!original || original.voided || voided.has(key) || original.tx.type === 'void') continue;
    voided.add(key);
    if (!freshKeys.has(key)) effects.push({ tx: original.tx, sign: -1, cause: voidTx });
  }
  for (const tx of fresh) {
    if (tx.type !== 'void' && !voided.has(transactionKey(tx)))
      effects.push({ tx, sign: 1, cause: tx });
  }
  return { effects, voided: [...voided] };
}

/** The points a transaction causes: earned by a sale, reversed by a return or void. */
export interface PointsEntry {
  shopperId: string;
  /** The card of the transaction the points are for. */
  cardNumber: string;
  kind: 'earn' | 'reverse';
  points: number;
  /** The transaction that caused it, `store:posTransactionId`: one entry per cause. */
  sourceId: string;
  /** When the cause happened (as the POS sent it). */
  occurredAt: string;
}

/** What a void took back: the sums it touched are recounted or, when they came back to zero, removed. */
export interface SumsToRecount {
  /** Households that lost a visit: first and last visit and the recent visit days. */
  shopperIds: string[];
  weeks: { shopperId: string; weekStart: string }[];
  stores: { shopperId: string; storeId: string }[];
}

/**
 * One effect of a batch on a household's product sums, by transaction: folded later (with the
 * transaction's lines) into `ingest.shopper_products`. A sum of signed effects, like the rest.
 */
export interface ProductFactEffect {
  shopperId: string;
  storeId: string;
  posTransactionId: string;
  /** +1 for a new sale or return, -1 for one voided now. */
  sign: 1 | -1;
}

/** Everything a batch changes besides the transactions themselves, by noun. */
export interface BatchChanges {
  /** Summed effect per shopper. */
  profiles: Map<string, ProfileEffect>;
  points: PointsEntry[];
  /** Shoppers who lost a visit: their first and last visit must be recounted. */
  visitsToRecount: string[];
  storeDays: StoreDayEffect[];
  weeks: WeekSum[];
  /** The product sums' effects, one per planned effect of a household's transaction. */
  productEffects: ProductFactEffect[];
  stores: StoreSum[];
  /** Business dates of the sales that count from now on, per household (for recent visit days). */
  visitDays: Map<string, string[]>;
  recount: SumsToRecount;
}

/**
 * What a plan does to profiles, points and store sales. `shopperOf` names the shopper of a
 * transaction (none for an anonymous sale, which still counts for its store).
 */
export function planBatchChanges(
  plan: ProjectionPlan,
  shopperOf: (tx: PosTransaction) => string | null,
  pointsPerCurrencyUnit: number,
): BatchChanges {
  const profiles = new Map<string, ProfileEffect>();
  const points: PointsEntry[] = [];
  const visitsToRecount = new Set<string>();
  const weeks: WeekSum[] = [];
  const productEffects: ProductFactEffect[] = [];
  const stores: StoreSum[] = [];
  const visitDays = new Map<string, string[]>();
  const recount: SumsToRecount = { shopperIds: [], weeks: [], stores: [] };
  for (const { tx, sign, cause } of plan.effects) {
    const shopperId = shopperOf(tx);
    if (!shopperId) continue;
    const effect = profileEffect(tx, sign, pointsPerCurrencyUnit);
    const sum = profiles.get(shopperId);
    profiles.set(shopperId, sum ? addProfileEffects(sum, effect) : effect);
    if (effect.points !== 0) {
      points.push({
        shopperId,
        cardNumber: tx.cardNumber ?? cause.cardNumber ?? '',
        kind: effect.points > 0 ? 'earn' : 'reverse',
        points: effect.points,
        sourceId: transactionKey(cause),
        occurredAt: cause.occurredAt,
      });
    }
    if (effect.visits < 0) visitsToRecount.add(shopperId);
    const sums = sumsEffect(tx, sign, shopperId);
    weeks.push(sums.week);
    productEffects.push({
      shopperId,
      storeId: tx.storeId,
      posTransactionId: tx.posTransactionId,
      sign,
    });
    stores.push(sums.store);
    if (sign === 1 && tx.type === 'sale') {
      visitDays.set(shopperId, [...(visitDays.get(shopperId) ?? []), tx.businessDate]);
    }
    if (sign === -1) {
      recount.weeks.push({ shopperId, weekStart: sums.week.weekStart });
      recount.stores.push({ shopperId, storeId: tx.storeId });
    }
  }
  recount.shopperIds = [...visitsToRecount];
  return {
    profiles,
    points,
    visitsToRecount: [...visitsToRecount],
    storeDays: sumStoreDays(plan.effects.map(({ tx, sign }) => storeDayEffect(tx, sign))),
    weeks: sumWeeks(weeks),
    productEffects,
    stores: sumStores(stores),
    visitDays,
    recount,
  };
}

/** Sums effects by store and business date: one entry per store and day and batch. */
export function sumStoreDays(effects: readonly StoreDayEffect[]): StoreDayEffect[] {
  const days = new Map<string, StoreDayEffect>();
  for (const effect of effects) {
    const key = `${effect.storeId}\u0000${effect.businessDate}`;
    const day = days.get(key);
    days.set(
      key,
      day
        ? {
            ...day,
            sales: day.sales + effect.sales,
            returns: day.returns + effect.returns,
            anonymousSales: day.anonymousSales + effect.anonymousSales,
            salesCents: day.salesCents + effect.salesCents,
            returnsCents: day.returnsCents + effect.returnsCents,
          }
        : effect,
    );
  }
  return [...days.values()];
}
