import { RULE_SCHEMA_VERSION } from '@loyalty/domain';
import { BadRequestException } from '@nestjs/common';
import { judgeRuleBody } from './rule-body';

const ID = '7d9f6c1e-2f0a-4c1b-9a57-3e2d7f1b0c11';
const options = { loyaltyCardPrefix: '980' };
const body = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'Dairy lovers',
  trigger: { kind: 'profileChange' },
  audience: 'everyone',
  reward: { kind: 'percentOff', percent: 10, target: { department: 'DAIRY' } },
  validity: { from: '2026-01-01T00:00:00Z', until: '2099-01-01T00:00:00Z' },
  offerValidDays: 14,
  priority: 1,
  stacking: 'stackable',
  ...overrides,
});

/** The fields a refused body's 400 names, in order. */
function refused(judge: () => unknown): string[] {
  try {
    judge();
  } catch (error) {
    const response = (error as BadRequestException).getResponse() as {
      violations: { field: string }[];
    };
    return response.violations.map((v) => v.field);
  }
  throw new Error('accepted');
}

describe('judgeRuleBody', () => {
  it('gives the rule the server id and the current schema version', () => {
    expect(judgeRuleBody(body(), ID, options)).toMatchObject({
      id: ID,
      schemaVersion: RULE_SCHEMA_VERSION,
      usesPerOffer: 1,
      controlShare: 0,
    });
  });

  it.each([
    ['an id on create', body({ id: ID }), undefined, ['id']],
    ['another id on edit', body({ id: 'other' }), ID, ['id']],
    ['a null id on edit', body({ id: null }), ID, ['id']],
    ['a lone surrogate in the name', body({ name: 'a\ud800' }), undefined, ['name']],
    [
      'a lone surrogate deep in a list',
      body({ stores: ['s1', '\udfff'] }),
      undefined,
      ['stores[1]'],
    ],
    ['a lone surrogate in a key', body({ 'k\ud800': 1 }), undefined, ['the rule', 'the rule']],
    ['a parser violation', body({ stacking: 'x' }), undefined, ['stacking']],
  ] as const)('refuses %s by path', (_name, json, existingId, fields) => {
    expect(refused(() => judgeRuleBody(json, ID, options, existingId))).toEqual(fields);
  });

  it('takes an edit repeating its own id', () => {
    expect(judgeRuleBody(body({ id: ID }), ID, options, ID).id).toBe(ID);
  });
});
