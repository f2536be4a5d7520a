import { Cents } from './money';
import { weekStartOf } from './profile-facts';
import { PosTransaction } from './transaction';

// The sums a household's profile is built from: per week, per product and per store. Each is a
// sum of signed effects (a void is the negation of its original), so the sums do not depend on
// the order in which transactions arrive. What is a minimum or maximum (first and last bought,
// last visit, the recent visit days) only widens here; a void recounts it from the transactions.

/** Spend and visits of one household in one week (starting Monday of the business date). */
export interface WeekSum {
  shopperId: string;
  weekStart: string;
  spendCents: Cents;
  visits: number;
}

/** What one household bought of one SKU. Units are thousandths, so sums stay exact. */
export interface ProductSum {
  shopperId: string;
  sku: string;
  department: string;
  category: string | null;
  brand: string | null;
  spendCents: Cents;
  unitsMilli: number;
  /** Sales that bought it (a SKU on two lines of one sale is one purchase). */
  purchases: number;
  firstBoughtOn: string | null;
  lastBoughtOn: string | null;
}

/** Visits and spend of one household in one store. */
export interface StoreSum {
  shopperId: string;
  storeId: string;
  visits: number;
  spendCents: Cents;
  lastVisitOn: string | null;
}

/** How many distinct visit days a profile keeps, for the purchase cadence. */
export const RECENT_VISIT_DAYS = 26;

/** +1 for a sale, -1 for a return (it takes back), times `sign` (-1 when voided); 0 for a void. */
function directionOf(tx: PosTransaction, sign: 1 | -1): number {
  return tx.type === 'sale' ? sign : tx.type === 'return' ? -sign : 0;
}

function minDate(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : a < b ? a : b;
}

function maxDate(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : a > b ? a : b;
}

/** The week and store sums one transaction changes for its household, times `sign`. */
export function sumsEffect(
  tx: PosTransaction,
  sign: 1 | -1,
  shopperId: string,
): { week: WeekSum; store: StoreSum } {
  const direction = directionOf(tx, sign);
  const visits = tx.type === 'sale' ? sign : 0;
  return {
    week: {
      shopperId,
      weekStart: weekStartOf(tx.businessDate),
      spendCents: direction * tx.totalCents,
      visits,
    },
    store: {
      shopperId,
      storeId: tx.storeId,
      visits,
      spendCents: direction * tx.totalCents,
      lastVisitOn: tx.type === 'sale' && sign === 1 ? tx.businessDate : null,
    },
  };
}

/**
 * The product sums one transaction changes for its household, times `sign`: what the product
 * facts job folds from the queued effects (the reference its SQL is tested against).
 */
export function productSumsEffect(
  tx: PosTransaction,
  sign: 1 | -1,
  shopperId: string,
): ProductSum[] {
  const direction = directionOf(tx, sign);
  const isSale = tx.type === 'sale';
  const visits = isSale ? sign : 0;
  // A date widens first/last only when a sale counts; a voided sale is recounted instead.
  const boughtOn = isSale && sign === 1 ? tx.businessDate : null;
  const products = new Map<string, ProductSum>();
  for (const line of tx.lines) {
    const product = products.get(line.sku);
    const spendCents = direction * line.amountCents;
    const unitsMilli = direction * Math.round(line.quantity * 1000);
    products.set(
      line.sku,
      product
        ? {
            ...product,
            spendCents: product.spendCents + spendCents,
            unitsMilli: product.unitsMilli + unitsMilli,
          }
        : {
            shopperId,
            sku: line.sku,
            department: line.department,
            category: line.category ?? null,
            brand: line.brand ?? null,
            spendCents,
            unitsMilli,
            purchases: visits,
            firstBoughtOn: boughtOn,
            lastBoughtOn: boughtOn,
          },
    );
  }
  return [...products.values()];
}

/** Sums week effects by household and week. */
export function sumWeeks(effects: readonly WeekSum[]): WeekSum[] {
  const sums = new Map<string, WeekSum>();
  for (const e of effects) {
    const key = `${e.shopperId}\u0000${e.weekStart}`;
    const sum = sums.get(key);
    sums.set(
      key,
      sum
        ? { ...sum, spendCents: sum.spendCents + e.spendCents, visits: sum.visits + e.visits }
        : e,
    );
  }
  return [...sums.values()];
}

/** Sums product effects by household and SKU; the latest sale's department, category and brand. */
export function sumProducts(effects: readonly ProductSum[]): ProductSum[] {
  const sums = new Map<string, ProductSum>();
  for (const e of effects) {
    const key = `${e.shopperId}\u0000${e.sku}`;
    const sum = sums.get(key);
    if (!sum) {
      sums.set(key, e);
      continue;
    }
    const later = e.lastBoughtOn !== null && (sum.lastBoughtOn ?? '') < e.lastBoughtOn ? e : sum;
    sums.set(key, {
      ...sum,
      department: later.department,
      category: later.category,
      brand: later.brand,
      spendCents: sum.spendCents + e.spendCents,
      unitsMilli: sum.unitsMilli + e.unitsMilli,
      purchases: sum.purchases + e.purchases,
      firstBoughtOn: minDate(sum.firstBoughtOn, e.firstBoughtOn),
      lastBoughtOn: maxDate(sum.lastBoughtOn, e.lastBoughtOn),
    });
  }
  return [...sums.values()];
}

/** Sums store effects by household and store. */
export function sumStores(effects: readonly StoreSum[]): StoreSum[] {
  const sums = new Map<string, StoreSum>();
  for (const e of effects) {
    const key = `${e.shopperId}\u0000${e.storeId}`;
    const sum = sums.get(key);
    sums.set(
      key,
      sum
        ? {
            ...sum,
            visits: sum.visits + e.visits,
            spendCents: sum.spendCents + e.spendCents,
            lastVisitOn: maxDate(sum.lastVisitOn, e.lastVisitOn),
          }
        : e,
    );
  }
  return [...sums.values()];
}

/** The latest `RECENT_VISIT_DAYS` distinct days of `days` and `added`, newest first. */
export function mergeVisitDays(days: readonly string[], added: readonly string[]): string[] {
  return [...new Set([...days, ...added])].sort().reverse().slice(0, RECENT_VISIT_DAYS);
}
