import { PointsEarnedV1, PointsEntry, TOPICS } from '@loyalty/domain';
import { OutboxEvent } from '@loyalty/kafka';

/**
 * The points a batch earns or takes back, as `pos-ingest.points-earned.v1` events keyed by
 * household (loyalty-api keeps the ledger and books each cause once).
 */
export function pointsEarnedEvents(entries: readonly PointsEntry[]): OutboxEvent[] {
  return entries.map((entry) => ({
    topic: TOPICS.pointsEarned,
    key: entry.shopperId,
    value: {
      cause: entry.sourceId,
      householdId: entry.shopperId,
      cardNumber: entry.cardNumber,
      kind: entry.kind,
      points: entry.points,
      occurredAt: entry.occurredAt,
    } satisfies PointsEarnedV1,
  }));
}
