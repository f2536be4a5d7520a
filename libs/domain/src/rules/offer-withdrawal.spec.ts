import { RULE_STATUSES_V2, RuleStatusV2 } from '../events/contracts';
import {
  OfferWithdrawalCause,
  OfferWithdrawalKind,
  dependsOnConsent,
  isConsentWithdrawn,
  statusRevokesOffers,
  withdrawalKind,
} from './offer-withdrawal';
import { Audience } from './rule-model';

describe('withdrawalKind', () => {
  it.each<[OfferWithdrawalCause, OfferWithdrawalKind]>([
    ['validity-ended', 'expired'],
    ['rule-ended', 'revoked'],
    ['consent-withdrawn', 'revoked'],
  ])('%s: %s', (cause, kind) => {
    expect(withdrawalKind(cause)).toBe(kind);
  });
});

describe('statusRevokesOffers', () => {
  it.each<[RuleStatusV2, boolean]>([
    ['draft', false],
    ['active', false],
    ['paused', false],
    ['ended', true],
  ])('%s: %s', (status, revokes) => {
    expect(statusRevokesOffers(status)).toBe(revokes);
  });

  it('judges every status', () => {
    expect(RULE_STATUSES_V2.filter(statusRevokesOffers)).toEqual(['ended']);
  });
});

describe('isConsentWithdrawn', () => {
  it.each<[boolean | null, boolean | null, boolean]>([
    [true, false, true],
    [true, true, false],
    [false, false, false],
    [false, true, false],
    // A household the copy had no consent for never held a personalised offer.
    [null, false, false],
    [null, true, false],
    [true, null, false],
  ])('%s then %s: %s', (before, after, withdrawn) => {
    expect(isConsentWithdrawn(before, after)).toBe(withdrawn);
  });
});

describe('dependsOnConsent', () => {
  it.each<[string, Audience, boolean]>([
    ['everyone', 'everyone', false],
    ['a condition', { fact: 'spend', window: '4w', atLeast: 1_000 }, true],
    ['a tree', { all: [{ not: { fact: 'tier', in: ['gold'] } }] }, true],
  ])('%s', (_name, audience, depends) => {
    expect(dependsOnConsent(audience)).toBe(depends);
  });
});
