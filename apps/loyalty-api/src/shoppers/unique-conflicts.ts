import {
  CardAlreadyRegisteredError,
  DomainError,
  EmailAlreadyRegisteredError,
} from '@loyalty/domain';
import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';

/**
 * A unique constraint that another request won while this one ran (the same card or email
 * registered concurrently), answered as it would be once the other committed; else null.
 */
export function uniqueConflict(error: unknown): DomainError | null {
  if (!(error instanceof QueryFailedError)) return null;
  const { code, constraint } = error.driverError as { code?: string; constraint?: string };
  if (code !== UNIQUE_VIOLATION) return null;
  if (constraint === 'shoppers_email_idx')
    return new EmailAlreadyRegisteredError(
      'This email is registered to another household',
      'email',
    );
  if (constraint === 'households_pkey' || constraint === 'cards_pkey')
    return new CardAlreadyRegisteredError('This card is registered to a household', 'cardNumber');
  return null;
}

/** Runs `work`, turning a lost race on a unique constraint into its domain refusal. */
export async function refusingLostRaces<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw uniqueConflict(error) ?? error;
  }
}
