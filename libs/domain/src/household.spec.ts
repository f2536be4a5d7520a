import { householdIdForCard } from './household';

describe('householdIdForCard', () => {
  it('is a version 5 UUID, the same for the same card and different for another', () => {
    const id = householdIdForCard('6006491234567893');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(householdIdForCard('6006491234567893')).toBe(id);
    expect(householdIdForCard('6006491234567885')).not.toBe(id);
  });
});
