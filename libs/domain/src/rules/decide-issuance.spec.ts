import { makeFacts } from './audience-facts.fixture';
import { isHeldOut } from './control-group';
import { decideIssuance, issuanceKey } from './decide-issuance';
import { Rule } from './rule-model';

const HOUSEHOLD = '3b0f8f57-2c4e-4a8e-9a57-0d9d6a1b2c3d';
const NOW = new Date('2026-12-02T10:00:00Z');

function makeRule(overrides: Partial<Rule> = {}): Rule {
  return {
    schemaVersion: 1,
    id: 'regulars',
    name: 'Regulars',
    trigger: { kind: 'profileChange' },
    audience: { fact: 'spend', window: '13w', atLeast: 5000 },
    reward: { kind: 'percentOff', percent: 10, target: { department: 'produce' } },
    validity: { from: '2026-12-01T00:00:00Z', until: '2026-12-10T00:00:00Z' },
    offerValidDays: 14,
    usesPerOffer: 1,
    priority: 10,
    stacking: 'stackable',
    controlShare: 0,
    ...overrides,
  };
}

const decide = (rule: Rule, facts = makeFacts()) =>
  decideIssuance([{ version: 3, rule }], HOUSEHOLD, facts, NOW, 'Europe/London');

describe('decideIssuance', () => {
  it('issues what a matching rule gives, for its version, once for the rule, valid until the rule ends', () => {
    expect(decide(makeRule())).toEqual([
      {
        ruleId: 'regulars',
        ruleVersion: 3,
        householdId: HOUSEHOLD,
        periodKey: 'campaign',
        reason: expect.objectContaining({ held: true }),
        heldOut: false,
        validFrom: NOW.toISOString(),
        validUntil: '2026-12-10T00:00:00.000Z',
      },
    ]);
  });

  it.each<[string, Partial<Rule>, Parameters<typeof makeFacts>[0], string | null]>([
    [
      'an audience that does not hold',
      { audience: { fact: 'visits', window: '4w', atLeast: 9 } },
      {},
      null,
    ],
    ['a personalised rule without consent', {}, { consent: { personalisedOffers: false } }, null],
    [
      'everyone, without consent',
      { audience: 'everyone' },
      { consent: { personalisedOffers: false } },
      'campaign',
    ],
    [
      'a weekly cap: once a week',
      { perHouseholdCap: { count: 1, period: 'week' } },
      {},
      '2026-W49',
    ],
    [
      'a monthly cap: once a month',
      { perHouseholdCap: { count: 2, period: 'month' } },
      {},
      '2026-12',
    ],
  ])('%s', (_name, rule, facts, period) => {
    const decisions = decide(makeRule(rule), makeFacts(facts));
    expect(decisions.map((d) => d.periodKey)).toEqual(period === null ? [] : [period]);
  });

  it('holds out the households of the control group, deterministically, with the reason', () => {
    const ids = Array.from(
      { length: 200 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const rule = makeRule({ controlShare: 0.3 });
    const heldOut = ids.filter(
      (id) => decideIssuance([{ version: 1, rule }], id, makeFacts(), NOW, 'UTC')[0].heldOut,
    );
    expect(heldOut).toEqual(ids.filter((id) => isHeldOut(id, rule.id, 0.3)));
    expect(heldOut.length).toBeGreaterThan(30);
    expect(heldOut.length).toBeLessThan(90);
  });

  it('decides each live rule on its own', () => {
    const rules = [
      { version: 1, rule: makeRule({ id: 'a' }) },
      { version: 2, rule: makeRule({ id: 'b', audience: { fact: 'tier', in: ['gold'] } }) },
      { version: 5, rule: makeRule({ id: 'c', audience: 'everyone' }) },
    ];
    const decisions = decideIssuance(rules, HOUSEHOLD, makeFacts(), NOW, 'Europe/London');
    expect(decisions.map((d) => [d.ruleId, d.ruleVersion])).toEqual([
      ['a', 1],
      ['c', 5],
    ]);
  });
});

describe('decideIssuance under a weekly offer limit', () => {
  const offer = (id: string, percent: number, priority = 10) => ({
    version: 1,
    rule: makeRule({
      id,
      audience: 'everyone',
      priority,
      reward: { kind: 'percentOff', percent, target: { basket: true } },
    }),
  });

  it('keeps the offers with the highest expected saving, each with its rank as the reason', () => {
    // A weekly shopper with a 15.00 basket: every offer is expected to be used (14 days' validity).
    const live = [offer('small', 5), offer('big', 20), offer('middle', 10)];
    const decisions = decideIssuance(live, HOUSEHOLD, makeFacts(), NOW, 'UTC', {
      perWeek: 3,
      issuedThisWeek: 1,
    });
    expect(decisions.map((d) => [d.ruleId, d.ranking])).toEqual([
      ['big', { expectedSavingCents: 300, rank: 1, candidates: 3, room: 2 }],
      ['middle', { expectedSavingCents: 150, rank: 2, candidates: 3, room: 2 }],
    ]);
  });

  it.each([
    ['room for all', { perWeek: 5, issuedThisWeek: 2 }, ['a', 'b', 'c']],
    ['no limit', undefined, ['a', 'b', 'c']],
    ['the week full', { perWeek: 2, issuedThisWeek: 2 }, []],
  ])('%s', (_name, limit, kept) => {
    const live = [offer('a', 5), offer('b', 5), offer('c', 5)];
    const decisions = decideIssuance(live, HOUSEHOLD, makeFacts(), NOW, 'UTC', limit);
    expect(decisions.map((d) => d.ruleId)).toEqual(kept);
    expect(decisions.filter((d) => d.ranking !== undefined)).toEqual([]);
  });

  it('decides nothing again that the household already got, which leaves its room to the others', () => {
    const live = [offer('got', 50), offer('new', 5)];
    const issued = new Set([issuanceKey('got', 1, 'campaign')]);
    const limit = { perWeek: 2, issuedThisWeek: 1 };
    const decisions = decideIssuance(live, HOUSEHOLD, makeFacts(), NOW, 'UTC', limit, issued);
    expect(decisions.map((d) => [d.ruleId, d.ranking])).toEqual([['new', undefined]]);
  });

  it('breaks equal savings by priority, then by rule id', () => {
    const live = [offer('b', 5, 1), offer('c', 5, 9), offer('a', 5, 1)];
    const decisions = decideIssuance(live, HOUSEHOLD, makeFacts(), NOW, 'UTC', {
      perWeek: 2,
      issuedThisWeek: 0,
    });
    expect(decisions.map((d) => d.ruleId)).toEqual(['c', 'a']);
  });
});
