import { HeldCard, planCardClaims } from './household-copy';

const event = (changedAt: string) => ({
  householdId: 'H',
  changedAt,
  cards: [{ cardNumber: '1', status: 'active' as const }],
});
const held = (shopperId: string, householdChangedAt: string | null) =>
  new Map<string, HeldCard>([['1', { cardNumber: '1', shopperId, householdChangedAt }]]);

describe('planCardClaims', () => {
  it.each([
    ['a card never seen is claimed, nothing moves', new Map<string, HeldCard>(), ['1'], []],
    ['a card a till saw moves from its own household', held('P', null), ['1'], [['1', 'P']]],
    [
      'a card an older event gave another household moves',
      held('P', '2026-03-01T10:00:00.000Z'),
      ['1'],
      [['1', 'P']],
    ],
    [
      'a card a newer event gave another household stays',
      held('P', '2026-03-03T10:00:00Z'),
      [],
      [],
    ],
    ['the same instant is no newer (a redelivery)', held('P', '2026-03-02T10:00:00Z'), [], []],
    [
      'a card already held is claimed again without a move',
      held('H', '2026-03-01T00:00:00Z'),
      ['1'],
      [],
    ],
  ])('%s', (_name, cards, claimed, moves) => {
    const plan = planCardClaims(event('2026-03-02T11:00:00+01:00'), cards);
    expect(plan.claims.map((c) => c.cardNumber)).toEqual(claimed);
    expect(plan.moves.map((m) => [m.cardNumber, m.from])).toEqual(moves);
  });
});
