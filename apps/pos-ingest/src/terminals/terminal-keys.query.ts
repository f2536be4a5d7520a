import { Injectable } from '@nestjs/common';
import { StoredTerminalKey, TerminalKeyLookup } from '@loyalty/platform';
import { DataSource } from 'typeorm';

/**
 * Named query over `loyalty.terminal_api_keys`, which loyalty-api owns (it creates and revokes
 * keys): the intake authenticates lanes with it. The guard caches a valid key for 30 s, so a
 * lane's post reads it at most twice a minute.
 */
@Injectable()
export class TerminalKeysQuery extends TerminalKeyLookup {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async findActive(keyId: string): Promise<StoredTerminalKey | null> {
    const rows: StoredTerminalKey[] = await this.dataSource.query(
      `SELECT key_id AS "keyId", store_id AS "storeId", terminal_id AS "terminalId", secret_hash AS "secretHash"
         FROM loyalty.terminal_api_keys
        WHERE key_id = $1 AND revoked_at IS NULL`,
      [keyId],
    );
    return rows[0] ?? null;
  }
}
