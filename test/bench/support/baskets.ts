import { luhnCheckDigit } from '@loyalty/domain';

// What the benches sell and to whom: a seeded catalogue of 400 products, 30-line baskets skewed
// towards popular products, and the shoppers' card numbers.

export const LINES_PER_BASKET = 30;
const PRODUCTS = 400;

export function log(message: string): void {
  console.log(`[bench] ${message}`);
}

/** A seeded generator (mulberry32): every run draws the same catalogue, baskets and cards. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DEPARTMENTS: Record<string, string[]> = {
  PRODUCE: ['FRUIT', 'VEG'],
  DAIRY: ['MILK', 'CHEESE', 'YOGURT'],
  BAKERY: ['BREAD', 'CAKES'],
  MEAT: ['BEEF', 'CHICKEN'],
  GROCERY: ['PASTA', 'CEREAL', 'CANNED'],
  FROZEN: ['ICE-CREAM', 'READY-MEALS'],
  DRINKS: ['SODA', 'WATER', 'JUICE'],
  HOUSEHOLD: ['CLEANING', 'PAPER'],
  SNACKS: ['CRISPS', 'CHOCOLATE'],
  DELI: ['HAM', 'OLIVES'],
};
const BRANDS = ['PRIVATE', 'ACME', 'NORDIC', 'SUNNY', 'VALLEY'];
// Sold by weight: quantity in kg, price per kg.
const WEIGHED = new Set(['PRODUCE', 'DELI']);

export interface Product {
  sku: string;
  department: string;
  category: string;
  brand: string;
  unitPriceCents: number;
  weighed: boolean;
}

export interface ReceiptLine {
  sku: string;
  department: string;
  category: string;
  brand: string;
  quantity: number;
  unitPriceCents: number;
  amountCents: number;
}

export const catalogue: Product[] = (() => {
  const next = seeded(1);
  const departments = Object.keys(DEPARTMENTS);
  return Array.from({ length: PRODUCTS }, (_, i) => {
    const department = departments[i % departments.length];
    const categories = DEPARTMENTS[department];
    return {
      sku: String(1_000_000 + i),
      department,
      category: categories[Math.floor(i / departments.length) % categories.length],
      brand: BRANDS[Math.floor(next() * BRANDS.length)],
      unitPriceCents: 49 + Math.floor(next() * 950),
      weighed: WEIGHED.has(department) && i % 3 === 0,
    };
  });
})();

/** 30 distinct products, popular ones more often; the first line is a weighed item. */
export function makeBasket(next: () => number): ReceiptLine[] {
  const chosen = new Set<number>();
  const weighed = catalogue.filter((p) => p.weighed);
  chosen.add(catalogue.indexOf(weighed[Math.floor(next() * weighed.length)]));
  while (chosen.size < LINES_PER_BASKET) chosen.add(Math.floor(PRODUCTS * next() ** 2));
  return [...chosen].map((index) => {
    const p = catalogue[index];
    const draw = next();
    const quantity = p.weighed
      ? Math.round((0.2 + 1.3 * draw) * 1000) / 1000
      : draw < 0.6
        ? 1
        : draw < 0.85
          ? 2
          : 3 + Math.floor(next() * 4);
    return {
      sku: p.sku,
      department: p.department,
      category: p.category,
      brand: p.brand,
      quantity,
      unitPriceCents: p.unitPriceCents,
      amountCents: Math.round(p.unitPriceCents * quantity),
    };
  });
}

/** The cards of the shoppers: `98`, the shopper's number, a Luhn check digit. */
export function cardNumbers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const body = `98${String(i).padStart(13, '0')}`;
    return `${body}${luhnCheckDigit(body)}`;
  });
}
