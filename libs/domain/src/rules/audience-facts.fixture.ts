import { AudienceFacts, ProductFactsRow } from './evaluate-audience';

// A household's audience facts for the rules' tests, each field overridable.

export const LIST_ID = '6f1c2a3e-9b4d-4c1e-8f2a-1b2c3d4e5f60';

export function makeProduct(overrides: Partial<ProductFactsRow> = {}): ProductFactsRow {
  return {
    sku: 'sku-apple',
    department: 'produce',
    category: 'fruit',
    brand: 'orchard',
    spendCents: 1200,
    units: 6,
    purchases: 4,
    repeatIntervalDays: 14,
    lastBoughtOn: '2026-11-20',
    ...overrides,
  };
}

export function makeFacts(overrides: Partial<AudienceFacts> = {}): AudienceFacts {
  return {
    spend4wCents: 4000,
    visits4w: 2,
    spend13wCents: 7420,
    visits13w: 5,
    spend52wCents: 30_000,
    visits52w: 20,
    averageBasket52wCents: 1500,
    cadenceDays: 7,
    nextVisitDueOn: '2026-12-08',
    rScore: 4,
    fScore: 3,
    mScore: null,
    lifecycle: 'active',
    lifecycleSince: '2026-01-10',
    tier: 'silver',
    tierSince: '2026-03-01',
    daysSinceLastVisit: 10,
    birthdayInDays: 30,
    factsAsOf: '2026-12-01',
    homeStoreId: 'store-0042',
    region: 'north-west',
    birthday: '12-31',
    enrolledOn: '2024-12-05',
    demographics: { ageBand: '35-44', householdSize: null, incomeBand: null },
    consent: { personalisedOffers: true },
    listIds: new Set([LIST_ID]),
    products: [
      makeProduct(),
      makeProduct({ sku: 'sku-pear', spendCents: 300, units: 2, lastBoughtOn: '2026-10-01' }),
      makeProduct({
        sku: 'sku-bread',
        department: 'bakery',
        category: 'bread',
        brand: null,
        lastBoughtOn: null,
      }),
    ],
    boughtWith: new Map([
      [
        'cheese',
        [
          { category: 'wine', lift: 3 },
          { category: 'fruit', lift: 2.5 },
          { category: 'bread', lift: 2 },
        ],
      ],
    ]),
    ...overrides,
  };
}
