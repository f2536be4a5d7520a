import { RULE_STATUSES_V2, Rule, RuleStatusV2 } from '@loyalty/domain';
import { decideStatusChange } from './rule-lifecycle';

const definition = (until: string) =>
  ({ validity: { from: '2026-01-01T00:00:00Z', until } }) as Rule;
const now = new Date('2026-06-01T12:00:00Z');

describe('decideStatusChange', () => {
  const allowed: [RuleStatusV2, RuleStatusV2][] = [
    ['draft', 'active'],
    ['draft', 'ended'],
    ['active', 'paused'],
    ['active', 'ended'],
    ['paused', 'active'],
    ['paused', 'ended'],
  ];
  const table = RULE_STATUSES_V2.flatMap((from) =>
    RULE_STATUSES_V2.map((to) => {
      const outcome =
        from === to
          ? 'unchanged'
          : allowed.some(([f, t]) => f === from && t === to)
            ? 'changed'
            : 'INVALID_TRANSITION';
      return [from, to, outcome] as const;
    }),
  );

  it.each(table)('%s → %s: %s', (from, to, outcome) => {
    const decide = () => decideStatusChange(from, to, definition('2099-01-01T00:00:00Z'), now);
    if (outcome === 'INVALID_TRANSITION')
      expect(decide).toThrow(expect.objectContaining({ code: outcome, field: 'status' }));
    else expect(decide()).toBe(outcome === 'changed');
  });

  it.each([
    ['draft', '2026-06-01T12:00:00Z'],
    ['paused', '2026-05-31T23:59:59+02:00'],
  ] as const)('refuses to activate a %s rule whose validity ended at %s', (from, until) => {
    expect(() => decideStatusChange(from, 'active', definition(until), now)).toThrow(
      expect.objectContaining({ code: 'RULE_EXPIRED', field: 'validity.until' }),
    );
  });

  it('ends an expired rule, and activates one valid a moment longer', () => {
    expect(decideStatusChange('active', 'ended', definition('2020-01-01T00:00:00Z'), now)).toBe(
      true,
    );
    expect(decideStatusChange('draft', 'active', definition('2026-06-01T12:00:00.001Z'), now)).toBe(
      true,
    );
  });
});
