import {
  Association,
  ItemHistory,
  NextPurchaseOptions,
  Purchase,
  mineAssociations,
  ndcgAtK,
  predictNextPurchases,
  recallAtK,
  rollUpHistories,
  summarisePurchases,
} from '@loyalty/domain';
import { loadCompleteJourneyTransactions } from '../support/complete-journey';

// `npm run bench:insight`: is "likely next purchases" better than the two baselines of the
// next-basket literature, on the Complete Journey data in the project?
// Split: for each household, everything before its last BENCH_TEST_WEEKS weeks (default 4) is
// training, what it buys in those weeks is the truth. Households with a purchase on both sides
// are scored. Popularity and associations are mined from the training side only.
// Methods, each giving 10 items per household:
// - global popularity: the items the most households bought;
// - personal frequency: the household's own items by the number of days it bought them (ties:
//   the more recent), filled with the popular items;
// - likely next purchases (`predictNextPurchases`): decayed frequency, the items' cadence, the
//   population's prior and what goes with what the household last bought; from the household's
//   product histories (days bought, first and last day) rolled up to the level, as the screen
//   pop reads them from the profile.
// Measures: recall@10 and NDCG@10, averaged over households, at product and at product-category
// level. The last line is `RESULT` at category level.

const K = 10;
const TEST_DAYS = Number(process.env.BENCH_TEST_WEEKS ?? 4) * 7;
const DAY_MS = 86_400_000;

/** The project's settings, also the ones the insight jobs use (docs/INSIGHT.md). */
const NEXT_PURCHASE_SETTINGS: Omit<NextPurchaseOptions, 'k' | 'popularity' | 'associations'> = {
  halfLifeDays: Number(process.env.BENCH_HALF_LIFE_DAYS ?? 120),
  dueWeight: Number(process.env.BENCH_DUE_WEIGHT ?? 0.3),
  popularityWeight: Number(process.env.BENCH_POPULARITY_WEIGHT ?? 3),
  associationWeight: Number(process.env.BENCH_ASSOCIATION_WEIGHT ?? 1),
};

interface Household {
  training: Purchase[];
  /** The product histories of the training side, rolled up to the level (as the profile keeps them). */
  histories: ItemHistory[];
  truth: Set<string>;
  /** The training baskets, for mining associations. */
  baskets: string[][];
}

type Level = 'product' | 'category';

function splitByHousehold(level: Level): Map<string, Household> {
  const itemOfProduct = new Map<string, string>();
  const byHousehold = new Map<string, { day: number; items: string[] }[]>();
  for (const sale of loadCompleteJourneyTransactions()) {
    const day = Math.floor(Date.parse(`${sale.businessDate}T00:00:00Z`) / DAY_MS);
    const items = sale.lines.map((line) => {
      const item =
        level === 'product' ? line.sku : (line.category ?? `department:${line.department}`);
      itemOfProduct.set(line.sku, item);
      return line.sku;
    });
    const card = sale.cardNumber as string;
    const visits = byHousehold.get(card) ?? [];
    visits.push({ day, items });
    byHousehold.set(card, visits);
  }
  const households = new Map<string, Household>();
  for (const [card, visits] of byHousehold) {
    const cut = Math.max(...visits.map((v) => v.day)) - TEST_DAYS;
    const household: Household = { training: [], histories: [], truth: new Set(), baskets: [] };
    const productTraining: Purchase[] = [];
    for (const { day, items: products } of visits) {
      const items = products.map((sku) => itemOfProduct.get(sku) as string);
      if (day > cut) items.forEach((item) => household.truth.add(item));
      else {
        household.baskets.push(items);
        items.forEach((item) => household.training.push({ item, day }));
        products.forEach((sku) => productTraining.push({ item: sku, day }));
      }
    }
    household.histories = rollUpHistories(
      summarisePurchases(productTraining),
      (sku) => itemOfProduct.get(sku) as string,
    );
    households.set(card, household);
  }
  return households;
}

function popularityOf(households: Iterable<Household>): Map<string, number> {
  const buyers = new Map<string, number>();
  let population = 0;
  for (const { training } of households) {
    if (training.length === 0) continue;
    population += 1;
    for (const item of new Set(training.map((p) => p.item)))
      buyers.set(item, (buyers.get(item) ?? 0) + 1);
  }
  return new Map([...buyers].map(([item, count]) => [item, count / population]));
}

function personalFrequency(training: readonly Purchase[], popular: readonly string[]): string[] {
  const days = new Map<string, Set<number>>();
  for (const { item, day } of training) days.set(item, (days.get(item) ?? new Set()).add(day));
  const last = (item: string) => Math.max(...(days.get(item) as Set<number>));
  const own = [...days.keys()].sort(
    (a, b) =>
      (days.get(b) as Set<number>).size - (days.get(a) as Set<number>).size ||
      last(b) - last(a) ||
      a.localeCompare(b),
  );
  return [...own, ...popular.filter((item) => !days.has(item))].slice(0, K);
}

interface Scores {
  recall: number;
  ndcg: number;
}

function evaluate(level: Level): { households: number; scores: Record<string, Scores> } {
  const households = [...splitByHousehold(level).values()].filter(
    (h) => h.training.length > 0 && h.truth.size > 0,
  );
  const popularity = popularityOf(households);
  const popular = [...popularity.keys()]
    .sort(
      (a, b) => (popularity.get(b) as number) - (popularity.get(a) as number) || a.localeCompare(b),
    )
    .slice(0, K);
  const associations = new Map<string, Association[]>();
  for (const association of mineAssociations(
    households.flatMap((h) => h.baskets),
    { minTogether: 3, topPerItem: 10 },
  )) {
    const found = associations.get(association.antecedent) ?? [];
    found.push(association);
    associations.set(association.antecedent, found);
  }
  const methods: Record<string, (h: Household) => string[]> = {
    popularity: () => popular,
    personalFrequency: (h) => personalFrequency(h.training, popular),
    nextPurchase: (h) =>
      predictNextPurchases(h.histories, Math.max(...h.training.map((p) => p.day)), {
        ...NEXT_PURCHASE_SETTINGS,
        k: K,
        popularity,
        associations,
      }).map((p) => p.item),
  };
  const totals: Record<string, Scores> = {};
  for (const [name, rank] of Object.entries(methods)) {
    let recall = 0;
    let ndcg = 0;
    for (const household of households) {
      const ranked = rank(household);
      recall += recallAtK(ranked, household.truth, K);
      ndcg += ndcgAtK(ranked, household.truth, K);
    }
    totals[name] = { recall: recall / households.length, ndcg: ndcg / households.length };
  }
  return { households: households.length, scores: totals };
}

const format = (value: number) => value.toFixed(4);
const results = { product: evaluate('product'), category: evaluate('category') };
for (const [level, result] of Object.entries(results)) {
  console.log(
    `${level} level, ${result.households} households, last ${TEST_DAYS / 7} weeks held out`,
  );
  for (const name of ['popularity', 'personalFrequency', 'nextPurchase']) {
    const { recall, ndcg } = result.scores[name];
    console.log(`  ${name.padEnd(18)} recall@10 ${format(recall)}  ndcg@10 ${format(ndcg)}`);
  }
}
const category = results.category.scores;
console.log(
  `RESULT next_purchase_recall10=${format(category.nextPurchase.recall)} popularity_recall10=${format(category.popularity.recall)} personal_frequency_recall10=${format(category.personalFrequency.recall)}`,
);
