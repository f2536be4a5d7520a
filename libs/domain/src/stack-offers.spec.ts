import fc from 'fast-check';
import { BasketLine } from './allocate-discounts';
import { StackableOffer, stackOffers } from './stack-offers';

// Worked examples of docs/CHECKOUT.md: a basket of 10.00 (dairy 4.00, produce 6.00).
const basket: BasketLine[] = [
  { sku: 'milk', department: 'DAIRY', quantity: 2, amountCents: 400 },
  { sku: 'apples', department: 'PRODUCE', quantity: 1, amountCents: 600 },
];

const offer = (
  code: string,
  reward: StackableOffer['reward'],
  terms: Partial<Omit<StackableOffer, 'code' | 'reward'>> = {},
): StackableOffer => ({
  code,
  reward,
  priority: 10,
  stacking: 'stackable',
  stackingGroup: null,
  ...terms,
});

const twoOff = offer('TWO-OFF', { kind: 'amountOff', amountCents: 200, target: { basket: true } });
const dairy10 = offer('DAIRY-10', {
  kind: 'percentOff',
  percent: 10,
  target: { department: 'DAIRY' },
});
/** An exclusive percent off the whole basket. */
const exclusiveOff = (percent: number) =>
  offer(
    'QUARTER',
    { kind: 'percentOff', percent, target: { basket: true } },
    {
      stacking: 'exclusive',
    },
  );
const quarterOff = exclusiveOff(25);

describe('stackOffers', () => {
  it.each<[string, StackableOffer[], [string, number][], [string, string][]]>([
    [
      'stackable offers apply together, by priority, each on what the others left',
      [dairy10, { ...twoOff, priority: 20 }],
      [
        ['TWO-OFF', 200],
        ['DAIRY-10', 32],
      ],
      [],
    ],
    [
      'of a stacking group only the offer giving most applies',
      [
        { ...twoOff, stackingGroup: 'weekly' },
        { ...dairy10, stackingGroup: 'weekly' },
      ],
      [['TWO-OFF', 200]],
      [['DAIRY-10', 'stacking-group']],
    ],
    [
      'an exclusive offer giving more than the others together applies alone',
      [twoOff, dairy10, quarterOff],
      [['QUARTER', 250]],
      [
        ['DAIRY-10', 'not-combinable'],
        ['TWO-OFF', 'not-combinable'],
      ],
    ],
    [
      'the stackable offers win when together they give more than the exclusive one',
      [twoOff, dairy10, exclusiveOff(20)],
      [
        ['DAIRY-10', 40],
        ['TWO-OFF', 200],
      ],
      [['QUARTER', 'not-combinable']],
    ],
    [
      'on a tie the exclusive offer applies, leaving the others for another visit',
      [twoOff, exclusiveOff(20)],
      [['QUARTER', 200]],
      [['TWO-OFF', 'not-combinable']],
    ],
    [
      'of two exclusive offers the one giving more',
      [
        quarterOff,
        {
          ...quarterOff,
          code: 'HALF-DAIRY',
          reward: { kind: 'percentOff', percent: 50, target: { department: 'DAIRY' } },
        },
      ],
      [['QUARTER', 250]],
      [['HALF-DAIRY', 'not-combinable']],
    ],
    [
      'an offer below its minimum basket or without its target gives nothing, and says why',
      [
        offer('MIN', {
          kind: 'amountOff',
          amountCents: 500,
          target: { basket: true },
          minBasketCents: 2_000,
        }),
        offer('MEAT', { kind: 'percentOff', percent: 50, target: { department: 'MEAT' } }),
        twoOff,
      ],
      [['TWO-OFF', 200]],
      [
        ['MEAT', 'target-not-in-basket'],
        ['MIN', 'minimum-basket-not-met'],
      ],
    ],
    [
      'an offer whose target the others used up',
      [
        offer(
          'ALL-DAIRY',
          { kind: 'amountOff', amountCents: 400, target: { department: 'DAIRY' } },
          { priority: 20 },
        ),
        dairy10,
      ],
      [['ALL-DAIRY', 400]],
      [['DAIRY-10', 'nothing-left']],
    ],
  ])('%s', (_name, offers, applied, leftOut) => {
    const quote = stackOffers(basket, offers);
    expect(quote.appliedOffers.map((o) => [o.code, o.discountCents])).toEqual(applied);
    expect(quote.leftOut.map((l) => [l.code, l.reason]).sort()).toEqual(leftOut);
  });

  const arbOffer = fc.record({
    code: fc.string({ minLength: 1, maxLength: 4 }),
    reward: fc.oneof(
      fc.record({
        kind: fc.constant('percentOff' as const),
        percent: fc.integer({ min: 1, max: 100 }),
        target: fc.constantFrom({ basket: true as const }, { department: 'DAIRY' }),
      }),
      fc.record({
        kind: fc.constant('amountOff' as const),
        amountCents: fc.integer({ min: 1, max: 1_500 }),
        target: fc.constantFrom({ basket: true as const }, { department: 'PRODUCE' }),
        minBasketCents: fc.integer({ min: 0, max: 1_500 }),
      }),
    ),
    priority: fc.integer({ min: 0, max: 3 }),
    stacking: fc.constantFrom('exclusive' as const, 'stackable' as const),
    stackingGroup: fc.constantFrom(null, 'g1', 'g2'),
  });

  it('decides the same whatever order the offers come in, and accounts for every offer once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbOffer, { maxLength: 6, selector: (o) => o.code }),
        fc.integer(),
        (offers, seed) => {
          const shuffled = [...offers].sort(
            (a, b) => ((a.code.charCodeAt(0) * seed) % 7) - ((b.code.charCodeAt(0) * seed) % 7),
          );
          const quote = stackOffers(basket, offers);
          expect(stackOffers(basket, shuffled)).toEqual(quote);
          const codes = [
            ...quote.appliedOffers.map((o) => o.code),
            ...quote.leftOut.map((l) => l.code),
          ].sort();
          expect(codes).toEqual(offers.map((o) => o.code).sort());
          expect(quote.discountCents).toBeLessThanOrEqual(quote.subtotalCents);
          const exclusives = quote.appliedOffers.filter(
            (a) => offers.find((o) => o.code === a.code)?.stacking === 'exclusive',
          );
          if (exclusives.length > 0) expect(quote.appliedOffers).toHaveLength(1);
          const groups = quote.appliedOffers
            .map((a) => offers.find((o) => o.code === a.code)?.stackingGroup)
            .filter((g) => g !== null);
          expect(new Set(groups).size).toBe(groups.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
