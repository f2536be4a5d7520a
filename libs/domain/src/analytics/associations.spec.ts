import fc from 'fast-check';
import { associationsOf, countBaskets, mineAssociations } from './associations';

// Five baskets: milk, bread and eggs each in three; milk with bread twice, bread with eggs twice,
// milk with eggs once.
const baskets = [
  ['milk', 'bread'],
  ['milk', 'bread', 'eggs', 'milk'],
  ['milk'],
  ['bread', 'eggs'],
  ['eggs'],
];

describe('mineAssociations', () => {
  it('gives support, confidence and lift as computed by hand', () => {
    const found = mineAssociations(baskets, { minTogether: 1, topPerItem: 10, minLift: 0 });
    const milkBread = found.find((a) => a.antecedent === 'milk' && a.consequent === 'bread');
    expect(milkBread).toEqual({
      antecedent: 'milk',
      consequent: 'bread',
      together: 2,
      support: 0.4,
      confidence: 2 / 3,
      lift: 2 / 3 / (3 / 5),
    });
    const milkEggs = found.find((a) => a.antecedent === 'milk' && a.consequent === 'eggs');
    expect(milkEggs?.lift).toBeCloseTo(5 / 9);
  });

  it('keeps pairs better than chance, seen often enough, the strongest first', () => {
    const found = mineAssociations(baskets, { minTogether: 2, topPerItem: 10 });
    expect(found.map((a) => `${a.antecedent}>${a.consequent}`)).toEqual([
      'bread>eggs',
      'bread>milk',
      'eggs>bread',
      'milk>bread',
    ]);
    expect(mineAssociations(baskets, { minTogether: 1, topPerItem: 10 })).toHaveLength(4);
  });

  it('keeps at most topPerItem consequents per item', () => {
    const found = mineAssociations(baskets, { minTogether: 1, topPerItem: 1, minLift: 0 });
    expect(found.filter((a) => a.antecedent === 'bread')).toHaveLength(1);
  });

  it('finds nothing in no baskets', () => {
    expect(mineAssociations([], { minTogether: 1, topPerItem: 5 })).toEqual([]);
  });

  it('holds the measures to their definitions on any baskets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e'), { maxLength: 5 }), {
          minLength: 1,
          maxLength: 40,
        }),
        (generated) => {
          const counts = countBaskets(generated);
          for (const a of associationsOf(counts, { minTogether: 1, topPerItem: 5, minLift: 0 })) {
            const holds = (item: string) => generated.filter((b) => b.includes(item)).length;
            const both = generated.filter(
              (b) => b.includes(a.antecedent) && b.includes(a.consequent),
            ).length;
            expect(a.together).toBe(both);
            expect(a.support).toBeCloseTo(both / generated.length);
            expect(a.confidence).toBeCloseTo(both / holds(a.antecedent));
            expect(a.lift).toBeCloseTo(
              both / holds(a.antecedent) / (holds(a.consequent) / generated.length),
            );
            expect(a.confidence).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });
});
