import { Injectable } from '@nestjs/common';
import { StoredTerminalKey, TerminalKeyLookup } from '@loyalty/platform';
import { DataSource } from 'typeorm';

/** pos-ingest's own copy of the terminal keys (kept by TerminalKeysConsumer), for the guard. */
@Injectable()
export class TerminalKeysQuery extends TerminalKeyLookup {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async findActive(keyId: string): Promise<StoredTerminalKey | null> {
    const rows: StoredTerminalKey[] = await this.dataSource.query(
      `SELECT key_id AS "keyId", store_id AS "storeId", terminal_id AS "terminalId", secret_hash AS "secretHash"
         FROM ingest.terminal_keys
        WHERE key_id = $1 AND revoked_at IS NULL`,
      [keyId],
    );
    return rows[0] ?? null;
  }
}
