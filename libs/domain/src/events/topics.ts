// Topic names are `<producer>.<event-kebab>.v<N>`; a breaking change of a payload gets a new topic.
export const TOPICS = {
  transactionRecorded: 'pos.transaction-recorded.v1',
  profileChanged: 'pos-ingest.profile-changed.v1',
  offerIssuedV2: 'coupon-engine.offer-issued.v2',
  offerWithdrawn: 'coupon-engine.offer-withdrawn.v1',
  offerRedeemed: 'loyalty-api.offer-redeemed.v1',
  ruleChangedV2: 'loyalty-api.rule-changed.v2',
  terminalKeyChanged: 'loyalty-api.terminal-key-changed.v1',
  householdChanged: 'loyalty-api.household-changed.v1',
  storeChanged: 'loyalty-api.store-changed.v1',
  shopperErased: 'loyalty-api.shopper-erased.v1',
  pointsEarned: 'pos-ingest.points-earned.v1',
  profileChangedV2: 'pos-ingest.profile-changed.v2',
  lifecycleChanged: 'pos-ingest.lifecycle-changed.v1',
} as const;

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
