import { TOPICS } from '@loyalty/domain';

/** The engine's consumer groups, one per topic it reads, named from `COUPON_ENGINE_GROUP_PREFIX`. */
export function couponEngineEventGroups(prefix: string) {
  return {
    profileTriggers: { groupId: `${prefix}.profile-triggers`, topic: TOPICS.profileChanged },
    ruleCopies: { groupId: `${prefix}.rules`, topic: TOPICS.ruleChanged },
    erasures: { groupId: `${prefix}.erasures`, topic: TOPICS.shopperErased },
  };
}
