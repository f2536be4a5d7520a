import { DomainError } from '@loyalty/domain';
import { ErrorSpec } from '@loyalty/platform';

export class AudienceListNotFoundError extends DomainError {
  readonly code = 'LIST_NOT_FOUND';
  override readonly kind = 'notFound';
}

export class AudienceListDeletedError extends DomainError {
  readonly code = 'LIST_DELETED';
  override readonly kind = 'conflict';
}

// The errors the audience list routes answer, for their OpenAPI document.

export const INVALID_INPUT: ErrorSpec = {
  status: 400,
  codes: ['VALIDATION_FAILED'],
  description: 'A path or body field breaks its rule (named by path); nothing stored',
};
export const LIST_NOT_FOUND: ErrorSpec = {
  status: 404,
  codes: ['LIST_NOT_FOUND'],
  description: 'No such audience list',
};
export const LIST_DELETED: ErrorSpec = {
  status: 409,
  codes: ['LIST_DELETED'],
  description: 'The list was deleted: it takes no members any more',
};
