import { createHash } from 'node:crypto';

/**
 * Whether the household is in the rule's control group (gets no offer, so the offer's lift can
 * be measured): the first 8 bytes of sha256(`ruleId:householdId`) read as a fraction of 2^64,
 * below `share`. The same household and rule always give the same answer; each rule draws its
 * own control group.
 */
export function isHeldOut(householdId: string, ruleId: string, share: number): boolean {
  if (share <= 0) return false;
  const digest = createHash('sha256').update(`${ruleId}:${householdId}`).digest();
  return Number(digest.readBigUInt64BE(0)) / 2 ** 64 < share;
}
