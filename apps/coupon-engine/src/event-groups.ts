import { TOPICS } from '@loyalty/domain';

/** The engine's consumer groups, one per topic it reads, named from `COUPON_ENGINE_GROUP_PREFIX`. */
export function couponEngineEventGroups(prefix: string) {
  return {
    profileFacts: { groupId: `${prefix}.profile-facts`, topic: TOPICS.profileChangedV2 },
    lifecycles: { groupId: `${prefix}.lifecycles`, topic: TOPICS.lifecycleChanged },
    households: { groupId: `${prefix}.households`, topic: TOPICS.householdChanged },
    ruleCopies: { groupId: `${prefix}.rules`, topic: TOPICS.ruleChangedV2 },
    stores: { groupId: `${prefix}.stores`, topic: TOPICS.storeChanged },
    erasures: { groupId: `${prefix}.erasures`, topic: TOPICS.shopperErased },
  };
}
