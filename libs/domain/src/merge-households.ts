import { DomainError } from './errors';

/** What a merge decision needs to know of a household. */
export interface MergeParty {
  id: string;
  registered: boolean;
  mergedInto: string | null;
  erased: boolean;
}

export class MergeIntoItselfError extends DomainError {
  readonly code = 'MERGE_INTO_ITSELF';
}

/** The source was merged into another household before; a household is merged once. */
export class HouseholdAlreadyMergedError extends DomainError {
  readonly code = 'HOUSEHOLD_ALREADY_MERGED';
  override readonly kind = 'conflict';
}

/** The target or the source is merged or erased: nothing moves into or out of it. */
export class MergeRefusedError extends DomainError {
  readonly code = 'MERGE_REFUSED';
  override readonly kind = 'conflict';
}

/**
 * Whether support may merge `source` into `target`: `merge` to do it, `done` when exactly this
 * merge happened before (a retry gets the same answer). A household merges into a live one only,
 * once, and never into itself.
 */
export function decideMerge(source: MergeParty, target: MergeParty): 'merge' | 'done' {
  if (source.id === target.id)
    throw new MergeIntoItselfError('A household cannot be merged into itself', 'sourceHouseholdId');
  if (source.mergedInto !== null) {
    if (source.mergedInto === target.id) return 'done';
    throw new HouseholdAlreadyMergedError(
      'This household was merged into another household already',
      'sourceHouseholdId',
    );
  }
  if (source.erased)
    throw new MergeRefusedError('An erased household cannot be merged', 'sourceHouseholdId');
  if (target.erased || target.mergedInto !== null)
    throw new MergeRefusedError('The target household is merged or erased', 'targetId');
  return 'merge';
}
