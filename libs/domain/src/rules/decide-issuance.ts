import { localDate } from '../profile-facts';
import { isHeldOut } from './control-group';
import { AudienceFacts, ReasonTree, evaluateAudience } from './evaluate-audience';
import { expectedSavingCents } from './expected-saving';
import { offerValidity, periodKey } from './offer-validity';
import { Rule } from './rule-model';

/** A rule as it issues: one version of its definition. */
export interface RuleVersion {
  version: number;
  rule: Rule;
}

/** What one household gets from one rule: an offer, or nothing as a member of its control group. */
export interface IssuanceDecision {
  ruleId: string;
  ruleVersion: number;
  householdId: string;
  /** One decision per rule version, household and period (see `issuancePeriod`). */
  periodKey: string;
  /** Why: the audience's reason tree with the household's values. */
  reason: ReasonTree;
  heldOut: boolean;
  validFrom: string;
  validUntil: string;
  /** Set when more offers matched than the household's weekly limit left room for. */
  ranking?: Ranking;
}

/** Why an offer was kept when the weekly limit chose among several: its rank by expected saving. */
export interface Ranking {
  expectedSavingCents: number;
  rank: number;
  candidates: number;
  /** Offers the household could still get this week. */
  room: number;
}

/** The household's weekly offer limit and the offers it got in the last 7 days. */
export interface WeeklyLimit {
  perWeek: number;
  issuedThisWeek: number;
}

/** What makes an offer unique: its rule version and period (per household). */
export function issuanceKey(ruleId: string, ruleVersion: number, periodKey: string): string {
  return `${ruleId}:${ruleVersion}:${periodKey}`;
}

/**
 * The period a rule issues once in for a household: its per-household cap's period (a weekly
 * rule can issue again next week), or once for the rule's life.
 */
export function issuancePeriod(rule: Rule, at: Date, timeZone: string): string {
  return periodKey(rule.perHouseholdCap?.period ?? 'campaign', at, timeZone);
}

/**
 * The offers `live` rules give a household at `now` (the programme's calendar in `timeZone`): every
 * rule whose audience holds; the household is held out instead when it falls in the rule's
 * control group (deterministic by household and rule). Live rules only: the caller chose them.
 * Offers it already got (`issued`, by `issuanceKey`) are not decided again. With a weekly limit and
 * more offers than it leaves room for, the offers with the highest expected saving for the
 * household are kept, each with its ranking as the reason.
 */
export function decideIssuance(
  live: readonly RuleVersion[],
  householdId: string,
  facts: AudienceFacts,
  now: Date,
  timeZone: string,
  limit?: WeeklyLimit,
  issued: ReadonlySet<string> = new Set(),
): IssuanceDecision[] {
  const asOf = localDate(now, timeZone);
  const decisions = live.flatMap(({ version, rule }) => {
    const period = issuancePeriod(rule, now, timeZone);
    if (issued.has(issuanceKey(rule.id, version, period))) return [];
    const reason = evaluateAudience(rule.audience, facts, asOf);
    if (!reason.held) return [];
    return [
      {
        rule,
        decision: {
          ruleId: rule.id,
          ruleVersion: version,
          householdId,
          periodKey: period,
          reason,
          heldOut: isHeldOut(householdId, rule.id, rule.controlShare),
          ...offerValidity(rule, now),
        } satisfies IssuanceDecision,
      },
    ];
  });
  const offered = decisions.filter(({ decision }) => !decision.heldOut);
  const room = limit === undefined ? Infinity : Math.max(0, limit.perWeek - limit.issuedThisWeek);
  if (offered.length <= room) return decisions.map(({ decision }) => decision);
  // More offers than room: the highest expected savings for this household, then priority.
  const ranked = offered
    .map(({ rule, decision }) => ({ rule, decision, saving: expectedSavingCents(rule, facts) }))
    .sort(
      (a, b) =>
        b.saving - a.saving ||
        b.rule.priority - a.rule.priority ||
        a.rule.id.localeCompare(b.rule.id),
    );
  const kept = ranked.slice(0, room).map(({ decision, saving }, i) => ({
    ...decision,
    ranking: {
      expectedSavingCents: Math.round(saving),
      rank: i + 1,
      candidates: ranked.length,
      room,
    },
  }));
  return [...decisions.filter(({ decision }) => decision.heldOut).map((d) => d.decision), ...kept];
}
