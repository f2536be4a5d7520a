import { Cents } from './money';

export interface ShopperProfile {
  shopperId: string;
  lifetimeSpendCents: Cents;
  /** Sales (returns are not visits). */
  visits: number;
  /** ISO 8601 instants in UTC of the first and last sale that was not voided. */
  firstVisitAt: string | null;
  lastVisitAt: string | null;
  spendByDepartmentCents: Record<string, Cents>;
  pointsBalance: number;
}

export function emptyProfile(shopperId: string): ShopperProfile {
  return {
    shopperId,
    lifetimeSpendCents: 0,
    visits: 0,
    firstVisitAt: null,
    lastVisitAt: null,
    spendByDepartmentCents: {},
    pointsBalance: 0,
  };
}

export function departmentSpend(spend: Record<string, Cents>, department: string): Cents {
  return Object.hasOwn(spend, department) ? spend[department] : 0;
}
