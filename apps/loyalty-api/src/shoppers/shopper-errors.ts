import { ErrorSpec } from '@loyalty/platform';

// The errors the shopper and support routes answer, for their OpenAPI documents.

export const INVALID_INPUT: ErrorSpec = {
  status: 400,
  codes: ['VALIDATION_FAILED'],
  description: 'A path, query or body field breaks its rule (named by path); nothing stored',
};
export const NOT_ENROLLED: ErrorSpec = {
  status: 404,
  codes: ['NOT_ENROLLED'],
  description: 'The signed-in shopper has no household yet',
};
export const HOUSEHOLD_NOT_FOUND: ErrorSpec = {
  status: 404,
  codes: ['HOUSEHOLD_NOT_FOUND'],
  description: 'No such household',
};
export const NOT_ACCOUNT_HOLDER: ErrorSpec = {
  status: 403,
  codes: ['NOT_ACCOUNT_HOLDER'],
  description: 'Only the account holder changes the household',
};
export const ENROLMENT_CONFLICT: ErrorSpec = {
  status: 409,
  codes: ['ALREADY_ENROLLED', 'EMAIL_ALREADY_REGISTERED', 'CARD_ALREADY_REGISTERED', 'CARD_ERASED'],
  description:
    'This subject enrolled before with other details, the email or card belongs to another household, or the card was erased',
};
export const CARD_CONFLICT: ErrorSpec = {
  status: 409,
  codes: ['CARD_ALREADY_REGISTERED', 'CARD_ERASED', 'CARD_STATE_CONFLICT'],
  description: 'The card belongs to a household or was erased, or its status allows no such change',
};
export const CARD_NOT_FOUND: ErrorSpec = {
  status: 404,
  codes: ['CARD_NOT_FOUND', 'NOT_ENROLLED', 'HOUSEHOLD_NOT_FOUND', 'MEMBER_NOT_FOUND'],
  description: 'No such card (or member) in this household, or no such household',
};
export const HOUSEHOLD_CLOSED: ErrorSpec = {
  status: 422,
  codes: ['HOUSEHOLD_CLOSED'],
  description: 'The household was merged into another or erased',
};
