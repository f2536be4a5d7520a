import { EntityManager } from 'typeorm';
import { EventMessage } from './event-producer';

export interface OutboxEvent extends EventMessage {
  topic: string;
}

/**
 * Writes events in the caller's database transaction; the relay publishes them after commit.
 * `table` is the owning app's outbox, e.g. `ingest.outbox`.
 */
export async function appendToOutbox(
  manager: EntityManager,
  table: string,
  events: readonly OutboxEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await manager.query(
    `INSERT INTO ${table} (topic, key, payload, headers)
     SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[])`,
    [
      events.map((e) => e.topic),
      events.map((e) => e.key),
      events.map((e) => JSON.stringify(e.value)),
      events.map((e) => JSON.stringify(e.headers ?? {})),
    ],
  );
}
