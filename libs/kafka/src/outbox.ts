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
  // One JSON document, in event order (the ids follow it): as arrays of JSON text, node-postgres
  // escaped every payload and PostgreSQL unescaped it before parsing it.
  await manager.query(
    `INSERT INTO ${table} (topic, key, payload, headers)
     SELECT topic, key, payload, headers
       FROM jsonb_to_recordset($1::jsonb) AS e(topic text, key text, payload jsonb, headers jsonb)`,
    [
      JSON.stringify(
        events.map((e) => ({
          topic: e.topic,
          key: e.key,
          payload: e.value,
          headers: e.headers ?? {},
        })),
      ),
    ],
  );
}
