import { Audience, AudienceNode } from '@loyalty/domain';
import { compileAudience } from './compile-audience';

const AS_OF = '2028-02-29';
const CONSENT = 'f.consent_personalised_offers';
const LIST = '7f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';

describe('compileAudience', () => {
  it("selects everyone without consent or parameters for 'everyone'", () => {
    expect(compileAudience('everyone', AS_OF)).toEqual({ where: 'true', params: [] });
  });

  it.each<[string, AudienceNode, string, unknown[]]>([
    [
      'a window range',
      { fact: 'spend', window: '13w', atLeast: 1000, atMost: 5000 },
      'coalesce(f.spend_13w_cents >= $1::numeric AND f.spend_13w_cents <= $2::numeric, false)',
      [1000, 5000],
    ],
    [
      'days since the last visit, moved to the day',
      { fact: 'daysSinceLastVisit', atLeast: 30 },
      'coalesce((f.days_since_last_visit + ($1::date - f.facts_as_of)) >= $2::numeric, false)',
      [AS_OF, 30],
    ],
    [
      'a list of values',
      { fact: 'tier', in: ['silver', 'gold'] },
      'coalesce(f.tier = ANY($1::text[]), false)',
      [['silver', 'gold']],
    ],
    [
      'a purchase within N days',
      { fact: 'bought', item: { department: 'bakery' }, withinDays: 7 },
      'EXISTS (SELECT 1 FROM ingest.shopper_products p WHERE p.shopper_id = f.household_id' +
        ' AND p.department = $1::text AND p.last_bought_on > $2::date - $3::integer)',
      ['bakery', AS_OF, 7],
    ],
    [
      'the lifetime units of SKUs, 0 when never bought',
      { fact: 'productUnits', item: { skus: ['A1', 'B2'] }, atMost: 3 },
      'coalesce((SELECT coalesce(sum(p.units), 0) FROM ingest.shopper_products p' +
        ' WHERE p.shopper_id = f.household_id AND p.sku = ANY($1::text[])) <= $2::numeric, false)',
      [['A1', 'B2'], 3],
    ],
    [
      'a static list',
      { fact: 'inList', listId: LIST },
      'EXISTS (SELECT 1 FROM loyalty.audience_list_members l WHERE l.list_id = $1::uuid' +
        ' AND l.household_id = f.household_id)',
      [LIST],
    ],
    [
      'the tree',
      {
        any: [
          { not: { fact: 'rScore', atMost: 2 } },
          { all: [{ fact: 'consent', purpose: 'personalisedOffers' }] },
        ],
      },
      `((NOT coalesce(f.r_score <= $1::numeric, false)) OR (${CONSENT}))`,
      [2],
    ],
  ])(
    'compiles %s, consent first, the day bound where first read',
    (_name, audience, where, params) => {
      expect(compileAudience(audience, AS_OF)).toEqual({
        where: `${CONSENT} AND ${where}`,
        params,
      });
    },
  );

  it('numbers its parameters from firstParam, one a placeholder', () => {
    const audience: Audience = {
      all: [
        { fact: 'region', in: ['north'] },
        { fact: 'birthday', withinDays: 7 },
        {
          fact: 'boughtNotBought',
          bought: { brand: 'x' },
          notBought: { brand: 'y' },
          withinDays: 3,
        },
      ],
    };
    const { where, params } = compileAudience(audience, AS_OF, 5);
    const placeholders = [...where.matchAll(/\$(\d+)/g)].map(([, n]) => Number(n));
    expect(Math.min(...placeholders)).toBe(5);
    expect(new Set(placeholders)).toEqual(new Set(params.map((_, i) => 5 + i)));
  });

  it('binds what marketers write, never interpolates it', () => {
    const hostile = "x'; DROP TABLE coupons.household_facts; --";
    const audience: Audience = {
      any: [
        { fact: 'bought', item: { department: hostile }, withinDays: 1 },
        { fact: 'productSpend', item: { skus: [hostile] }, atLeast: 1 },
        { fact: 'homeStore', in: [hostile] },
      ],
    };
    const { where, params } = compileAudience(audience, AS_OF);
    expect(where).not.toContain(hostile);
    expect(params).toEqual([hostile, AS_OF, 1, [hostile], 1, [hostile]]);
  });
});
