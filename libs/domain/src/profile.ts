import { Cents } from './money';
import { PosTransaction } from './transaction';

export interface ShopperProfile {
  shopperId: string;
  lifetimeSpendCents: Cents;
  visits: number;
  /** ISO 8601 instants in UTC; min/max make the result independent of arrival order. */
  firstVisitAt: string | null;
  lastVisitAt: string | null;
  spendByDepartmentCents: Record<string, Cents>;
}

export function emptyProfile(shopperId: string): ShopperProfile {
  return {
    shopperId,
    lifetimeSpendCents: 0,
    visits: 0,
    firstVisitAt: null,
    lastVisitAt: null,
    spendByDepartmentCents: {},
  };
}

export function departmentSpend(spend: Record<string, Cents>, department: string): Cents {
  return Object.hasOwn(spend, department) ? spend[department] : 0;
}

/** Folds one (new, never seen before) transaction into the profile. */
export function applyTransaction(profile: ShopperProfile, tx: PosTransaction): ShopperProfile {
  const at = new Date(tx.occurredAt).toISOString();
  // Department names are data: a prototype-free map keeps `constructor` or `__proto__` ordinary keys.
  const spendByDepartmentCents: Record<string, Cents> = Object.assign(
    Object.create(null),
    profile.spendByDepartmentCents,
  );
  for (const line of tx.lines) {
    spendByDepartmentCents[line.department] =
      departmentSpend(spendByDepartmentCents, line.department) + line.amountCents;
  }
  return {
    shopperId: profile.shopperId,
    lifetimeSpendCents: profile.lifetimeSpendCents + tx.totalCents,
    visits: profile.visits + 1,
    firstVisitAt: profile.firstVisitAt && profile.firstVisitAt < at ? profile.firstVisitAt : at,
    lastVisitAt: profile.lastVisitAt && profile.lastVisitAt > at ? profile.lastVisitAt : at,
    spendByDepartmentCents,
  };
}
