import fc from 'fast-check';
import { isCardNumber } from './card-number';
import {
  CARD_ACTIONS,
  CARD_STATUSES,
  maskShopperName,
  CardAction,
  CardStateError,
  CardStatus,
  ISSUED_CARD_LENGTH,
  NO_CONSENT,
  assertCardUsable,
  changeCardStatus,
  erasureHash,
  householdChangedEvent,
  householdIdForCard,
  issueCardNumber,
  maskCardNumber,
} from './household';

describe('householdIdForCard', () => {
  it('is a version 5 UUID, the same for the same card and different for another', () => {
    const id = householdIdForCard('6006491234567893');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(householdIdForCard('6006491234567893')).toBe(id);
    expect(householdIdForCard('6006491234567885')).not.toBe(id);
  });
});

describe('changeCardStatus', () => {
  const table: [CardStatus, CardAction, CardStatus | 'conflict', boolean][] = [
    ['active', 'reportLost', 'lost', true],
    ['active', 'block', 'blocked', true],
    ['active', 'replace', 'replaced', true],
    ['lost', 'reportLost', 'lost', false],
    ['lost', 'block', 'blocked', true],
    ['lost', 'replace', 'replaced', true],
    ['blocked', 'reportLost', 'conflict', false],
    ['blocked', 'block', 'blocked', false],
    ['blocked', 'replace', 'replaced', true],
    ['replaced', 'reportLost', 'conflict', false],
    ['replaced', 'block', 'conflict', false],
    ['replaced', 'replace', 'conflict', false],
  ];

  it('covers every status and action', () => {
    expect(table.map(([s, a]) => `${s}:${a}`).sort()).toEqual(
      CARD_STATUSES.flatMap((s) => CARD_ACTIONS.map((a) => `${s}:${a}`)).sort(),
    );
  });

  it.each(table)('%s card, %s: %s', (status, action, expected, changed) => {
    if (expected === 'conflict') {
      expect(() => changeCardStatus(status, action)).toThrow(CardStateError);
    } else {
      expect(changeCardStatus(status, action)).toEqual({ status: expected, changed });
    }
  });
});

describe('assertCardUsable', () => {
  it.each([
    ['active', null],
    ['lost', 'CARD_LOST'],
    ['blocked', 'CARD_BLOCKED'],
    ['replaced', 'CARD_REPLACED'],
  ] as const)('%s: %s', (status, code) => {
    if (code === null) expect(() => assertCardUsable(status)).not.toThrow();
    else expect(() => assertCardUsable(status)).toThrow(expect.objectContaining({ code }));
  });
});

describe('issueCardNumber', () => {
  it('is our prefix, the digits drawn and a check digit: a valid card number', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{1,8}$/),
        fc.stringMatching(/^\d{15}$/),
        (prefix, digits) => {
          const card = issueCardNumber(prefix, digits);
          expect(card).toHaveLength(ISSUED_CARD_LENGTH);
          expect(card.startsWith(prefix)).toBe(true);
          expect(isCardNumber(card)).toBe(true);
        },
      ),
    );
  });

  it('masks all but the last four digits for staff', () => {
    expect(maskCardNumber('9800000000009061')).toBe('****9061');
  });
});

describe('householdChangedEvent', () => {
  it('carries month and day of the birthday, the enrolment day, the demographics and cards in a fixed order', () => {
    const event = householdChangedEvent(
      {
        householdId: 'h',
        registered: true,
        enrolledAt: new Date('2026-03-01T23:30:00Z'),
        mergedInto: null,
        birthday: '1990-02-28',
        homeStoreId: 'store-1',
        demographics: { ageBand: '35-44', householdSize: 3, incomeBand: null },
        consent: NO_CONSENT,
        cards: [
          { cardNumber: '98002', status: 'lost' },
          { cardNumber: '98001', status: 'active' },
        ],
      },
      3,
      new Date('2026-03-02T10:00:00Z'),
    );
    expect(event).toEqual({
      householdId: 'h',
      version: 3,
      changedAt: '2026-03-02T10:00:00.000Z',
      cards: [
        { cardNumber: '98001', status: 'active' },
        { cardNumber: '98002', status: 'lost' },
      ],
      mergedInto: null,
      registered: true,
      enrolledOn: '2026-03-01',
      birthday: '02-28',
      homeStoreId: 'store-1',
      demographics: { ageBand: '35-44', householdSize: 3, incomeBand: null },
      consent: NO_CONSENT,
    });
  });
});

describe('erasureHash', () => {
  it('recognises the same value under the same key, and nothing under another key', () => {
    const key = 'k'.repeat(32);
    expect(erasureHash(key, '6006491234567893').equals(erasureHash(key, '6006491234567893'))).toBe(
      true,
    );
    expect(erasureHash(key, '6006491234567893').equals(erasureHash(key, '6006491234567885'))).toBe(
      false,
    );
    expect(
      erasureHash('j'.repeat(32), '6006491234567893').equals(erasureHash(key, '6006491234567893')),
    ).toBe(false);
  });
});

describe('maskShopperName', () => {
  it.each<[string | null, string | null, string | null]>([
    ['Maria', 'Schmidt', 'Maria S.'],
    ['Maria', null, 'Maria'],
    [null, 'schmidt', 'S.'],
    ['  ', ' ', null],
    [null, null, null],
  ])('shows %s %s as %s', (given, family, shown) => {
    expect(maskShopperName(given, family)).toBe(shown);
  });
});
