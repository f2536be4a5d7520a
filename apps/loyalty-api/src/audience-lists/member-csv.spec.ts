import { MAX_MEMBER_LINES, judgeMemberLine, readMemberCsv } from './member-csv';

const PREFIX = '98';
const CARD = '9800000000009061';
const HOUSEHOLD = '6f1c2a3e-9b4d-4c1e-8f2a-1b2c3d4e5f60';

describe('judgeMemberLine', () => {
  it.each([
    ['a card number of ours', CARD, null, { kind: 'card', value: CARD }],
    ['a card number, padded and quoted', ` "${CARD}" `, null, { kind: 'card', value: CARD }],
    [
      'a household id, lower-cased',
      HOUSEHOLD.toUpperCase(),
      null,
      { kind: 'household', value: HOUSEHOLD },
    ],
    ['a card number under card_number', CARD, 'card', { kind: 'card', value: CARD }],
    [
      'a household id under household_id',
      HOUSEHOLD,
      'household',
      { kind: 'household', value: HOUSEHOLD },
    ],
    ['a payment card number', '4111111111111111', null, { rule: 'payment-card' }],
    ['a payment card number in groups', '4111-1111-1111-1111', 'card', { rule: 'payment-card' }],
    [
      'a payment card number under household_id',
      '4111111111111111',
      'household',
      { rule: 'payment-card' },
    ],
    [
      'a payment card number with more on the line',
      `${CARD},4111111111111111`,
      null,
      { rule: 'payment-card' },
    ],
    ['a wrong check digit', '9800000000009062', null, { rule: 'malformed' }],
    ['too few digits', '98000000001', null, { rule: 'malformed' }],
    ['two values', `${CARD};${CARD}`, null, { rule: 'malformed' }],
    ['a household id under card_number', HOUSEHOLD, 'card', { rule: 'malformed' }],
    ['a card number under household_id', CARD, 'household', { rule: 'malformed' }],
    ['a UUID cut short', HOUSEHOLD.slice(0, -1), null, { rule: 'malformed' }],
    ['text', 'Ann Lee', null, { rule: 'malformed' }],
  ] as const)('%s', (_name, raw, expected, judged) => {
    expect(judgeMemberLine(raw, 4, expected, PREFIX)).toMatchObject({ line: 4, ...judged });
  });

  it('never quotes the line in its message', () => {
    for (const raw of ['4111111111111111', '9800000000009062', 'Ann Lee', HOUSEHOLD]) {
      const judged = judgeMemberLine(raw, 1, 'card', PREFIX);
      if ('message' in judged) expect(judged.message).not.toContain(raw);
    }
  });
});

describe('readMemberCsv', () => {
  async function read(text: string) {
    const csv = await readMemberCsv(text, PREFIX);
    if (csv.tooManyLines) throw new Error('too many lines');
    return csv;
  }

  it.each([
    ['a header, CRLF and blank lines', `card_number\r\n\r\n${CARD}\r\n\r\n`, [[3, 'card']], []],
    [
      'no header, LF, no final newline',
      `${CARD}\n${HOUSEHOLD}`,
      [
        [1, 'card'],
        [2, 'household'],
      ],
      [],
    ],
    [
      'a byte order mark and a quoted header',
      `\uFEFF"Household_ID"\n${HOUSEHOLD}\n`,
      [[2, 'household']],
      [],
    ],
    ['a header after a value', `${CARD}\ncard_number\n`, [[1, 'card']], [[2, 'malformed']]],
    ['a header after blank lines', `\n\nhousehold_id\n${HOUSEHOLD}`, [[4, 'household']], []],
    ['only a header', 'card_number\r\n', [], []],
    ['a lone CR inside a line', `${CARD}\r${CARD}\n`, [], [[1, 'malformed']]],
  ])('reads %s', async (_name, text, members, violations) => {
    const csv = await read(text);
    expect(csv.members.map((m) => [m.line, m.kind])).toEqual(members);
    expect(csv.violations.map((v) => [v.line, v.rule])).toEqual(violations);
  });

  it('takes the most lines it may, and stops at one more', async () => {
    const most = `card_number\n${`${CARD}\n\n`.repeat(MAX_MEMBER_LINES)}`;
    expect((await read(most)).members).toHaveLength(MAX_MEMBER_LINES);
    expect(await readMemberCsv(`${most}${CARD}`, PREFIX)).toEqual({ tooManyLines: true });
  });
});
