import { heldOutBound, isHeldOut } from './control-group';

describe('isHeldOut', () => {
  const households = Array.from({ length: 100_000 }, (_, i) => `household-${i}`);

  it.each([0.05, 0.1, 0.25, 0.5])('holds out %s of households within 1 point', (share) => {
    const heldOut = households.filter((household) => isHeldOut(household, 'rule-1', share));
    expect(Math.abs(heldOut.length / households.length - share)).toBeLessThan(0.01);
  });

  it('holds out no one at share 0', () => {
    expect(households.slice(0, 1000).some((household) => isHeldOut(household, 'rule-1', 0))).toBe(
      false,
    );
  });

  it('gives the same answer every time', () => {
    const draw = () =>
      households.slice(0, 1000).map((household) => isHeldOut(household, 'rule-1', 0.3));
    expect(draw()).toEqual(draw());
  });

  it('draws another control group for another rule', () => {
    const group = (ruleId: string) =>
      households.slice(0, 1000).filter((household) => isHeldOut(household, ruleId, 0.5));
    expect(group('rule-1')).not.toEqual(group('rule-2'));
  });

  it('keeps a household held out as the share grows', () => {
    const small = households
      .slice(0, 1000)
      .filter((household) => isHeldOut(household, 'rule-1', 0.1));
    expect(small.every((household) => isHeldOut(household, 'rule-1', 0.2))).toBe(true);
  });
});

describe('heldOutBound', () => {
  it.each([
    [0, '0000000000000000'],
    [0.25, '4000000000000000'],
    [0.5, '8000000000000000'],
  ])('bounds a share of %p at %s', (share, bound) => {
    expect(heldOutBound(share)).toBe(bound);
  });
});
