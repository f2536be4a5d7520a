import { Injectable } from '@nestjs/common';
import { TerminalKeyChangedV1 } from '@loyalty/domain';
import { DataSource } from 'typeorm';

/** One event per key (one statement cannot change a row twice), keeping a revocation. */
function latestPerKey(events: readonly TerminalKeyChangedV1[]): TerminalKeyChangedV1[] {
  const byKey = new Map<string, TerminalKeyChangedV1>();
  for (const event of events) {
    const earlier = byKey.get(event.keyId);
    byKey.set(event.keyId, { ...event, revokedAt: earlier?.revokedAt ?? event.revokedAt });
  }
  return [...byKey.values()];
}

@Injectable()
export class TerminalKeysService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Keeps pos-ingest's copy of the terminal keys. A revocation is final: a key once revoked stays
   * revoked whatever arrives after (a redelivered or replayed creation), so the order of events
   * does not matter.
   */
  async apply(events: readonly TerminalKeyChangedV1[]): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ingest.terminal_keys AS k (key_id, store_id, terminal_id, secret_hash, revoked_at)
       SELECT * FROM json_to_recordset($1::json)
         AS e("keyId" text, "storeId" text, "terminalId" text, "secretHash" text, "revokedAt" timestamptz)
       ON CONFLICT (key_id) DO UPDATE
         SET revoked_at = coalesce(k.revoked_at, EXCLUDED.revoked_at), received_at = now()`,
      [JSON.stringify(latestPerKey(events))],
    );
  }
}
