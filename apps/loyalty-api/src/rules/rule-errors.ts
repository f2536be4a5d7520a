import { DomainError, RuleStatusV2 } from '@loyalty/domain';
import { ErrorSpec } from '@loyalty/platform';

// The refusals of the rule routes: as errors the services throw and as their OpenAPI entries.

export class RuleNotFoundError extends DomainError {
  readonly code = 'RULE_NOT_FOUND';
  override readonly kind = 'notFound';
}

export class RuleVersionNotFoundError extends DomainError {
  readonly code = 'RULE_VERSION_NOT_FOUND';
  override readonly kind = 'notFound';
}

export class RuleEndedError extends DomainError {
  readonly code = 'RULE_ENDED';
  override readonly kind = 'conflict';
}

export class InvalidTransitionError extends DomainError {
  readonly code = 'INVALID_TRANSITION';
  override readonly kind = 'conflict';

  constructor(
    readonly from: RuleStatusV2,
    readonly to: RuleStatusV2,
    allowed: readonly RuleStatusV2[],
  ) {
    super(
      `A rule cannot go from ${from} to ${to}; from ${from} it may go to ${allowed.join(', ') || 'nothing'}`,
      'status',
    );
  }
}

export class RuleExpiredError extends DomainError {
  readonly code = 'RULE_EXPIRED';
  override readonly kind = 'conflict';
}

export class BudgetNeedsAdminError extends DomainError {
  readonly code = 'BUDGET_NEEDS_ADMIN';
  override readonly kind = 'forbidden';
}

const RULE_VIOLATIONS =
  '`violations` (and `errors`) name every bad field of the rule by path as the rule parser does (e.g. `audience.all[2].window`), never echoing a value; nothing stored';
export const INVALID_NEW_RULE: ErrorSpec = {
  status: 400,
  codes: ['VALIDATION_FAILED'],
  description: `The rule breaks the model, names an id, or the Idempotency-Key header is not 1 to 64 printable ASCII characters: ${RULE_VIOLATIONS}`,
};
export const INVALID_RULE: ErrorSpec = {
  status: 400,
  codes: ['VALIDATION_FAILED'],
  description: `The id is no UUID, or the rule breaks the model or names another id: ${RULE_VIOLATIONS}`,
};
export const INVALID_PARAMETER: ErrorSpec = {
  status: 400,
  codes: ['VALIDATION_FAILED'],
  description: 'A path or query parameter breaks its contract (named); nothing changed',
};
export const RULE_NOT_FOUND: ErrorSpec = {
  status: 404,
  codes: ['RULE_NOT_FOUND'],
  description: 'No rule with this id',
};
export const VERSION_NOT_FOUND: ErrorSpec = {
  status: 404,
  codes: ['RULE_NOT_FOUND', 'RULE_VERSION_NOT_FOUND'],
  description: 'No rule with this id, or the rule has no such version',
};
export const BUDGET_NEEDS_ADMIN: ErrorSpec = {
  status: 403,
  codes: ['BUDGET_NEEDS_ADMIN'],
  description:
    'A marketer may only create or edit a rule whose budgetCents is set and at most RULE_BUDGET_ADMIN_ABOVE_CENTS; an admin may',
};
export const KEY_REUSED: ErrorSpec = {
  status: 422,
  codes: ['IDEMPOTENCY_KEY_REUSED'],
  description: 'This caller already used the Idempotency-Key for another body',
};
export const RULE_ENDED: ErrorSpec = {
  status: 409,
  codes: ['RULE_ENDED'],
  description: 'The rule has ended: it takes no new definition',
};
export const STATUS_CONFLICT: ErrorSpec = {
  status: 409,
  codes: ['INVALID_TRANSITION', 'RULE_EXPIRED'],
  description:
    'The lifecycle allows no such change (the message names from and to), or the rule cannot be activated because its validity.until has passed',
};
