import { createHash } from 'node:crypto';

/**
 * Whether the household is in the rule's control group (gets no offer, so the offer's lift can
 * be measured): the first 8 bytes of sha256(`ruleId:householdId`), as 16 hex digits, below the
 * share's bound (`heldOutBound`). The same household and rule always give the same answer; each
 * rule draws its own control group; SQL compares the same two strings.
 */
export function isHeldOut(householdId: string, ruleId: string, share: number): boolean {
  const hash = createHash('sha256').update(`${ruleId}:${householdId}`).digest('hex').slice(0, 16);
  return hash < heldOutBound(share);
}

/** The 16 hex digits below which a hash prefix falls in a control group of `share` (0..0.5). */
export function heldOutBound(share: number): string {
  const bound = BigInt(Math.round(Math.min(Math.max(share, 0), 0.5) * 2 ** 64));
  return bound.toString(16).padStart(16, '0');
}
