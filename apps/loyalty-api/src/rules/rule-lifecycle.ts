import { Rule, RuleStatusV2 } from '@loyalty/domain';
import { InvalidTransitionError, RuleExpiredError } from './rule-errors';

// draft → active → paused → active …; draft, active and paused may end; ended is final.
export const RULE_TRANSITIONS: Record<RuleStatusV2, readonly RuleStatusV2[]> = {
  draft: ['active', 'ended'],
  active: ['paused', 'ended'],
  paused: ['active', 'ended'],
  ended: [],
};

/**
 * Whether the rule's status changes to `to`: false when it already has it (nothing to do). An
 * impossible change, or activating a rule whose validity has run out, is refused.
 */
export function decideStatusChange(
  from: RuleStatusV2,
  to: RuleStatusV2,
  definition: Rule,
  now: Date,
): boolean {
  if (from === to) return false;
  if (!RULE_TRANSITIONS[from].includes(to))
    throw new InvalidTransitionError(from, to, RULE_TRANSITIONS[from]);
  if (to === 'active' && Date.parse(definition.validity.until) <= now.getTime())
    throw new RuleExpiredError(
      'The rule cannot be activated: its validity.until has passed; give it a new definition first',
      'validity.until',
    );
  return true;
}
