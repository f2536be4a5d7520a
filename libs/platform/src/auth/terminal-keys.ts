import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Terminal } from './access';

// A terminal API key is `tk_<keyId>_<secret>`. Only a SHA-256 of the secret is stored: the secret
// is 256 random bits, so a fast hash is safe (no password stretching needed) and keeps the lane fast.
const KEY_PATTERN = /^tk_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewTerminalKey {
  apiKey: string;
  keyId: string;
  secretHash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateTerminalKey(): NewTerminalKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { apiKey: `tk_${keyId}_${secret}`, keyId, secretHash: hashSecret(secret) };
}

export function parseTerminalKey(apiKey: string): { keyId: string; secret: string } | null {
  const match = KEY_PATTERN.exec(apiKey);
  return match ? { keyId: match[1], secret: match[2] } : null;
}

/**
 * Named query: the keys live in `loyalty.terminal_api_keys`, owned by loyalty-api (which creates
 * and revokes them); pos-ingest reads them through this query only.
 */
export async function findTerminalByKey(
  dataSource: DataSource,
  apiKey: string,
): Promise<Terminal | null> {
  const parsed = parseTerminalKey(apiKey);
  if (!parsed) return null;
  const rows: { key_id: string; store_id: string; terminal_id: string; secret_hash: string }[] =
    await dataSource.query(
      `SELECT key_id, store_id, terminal_id, secret_hash FROM loyalty.terminal_api_keys
        WHERE key_id = $1 AND revoked_at IS NULL`,
      [parsed.keyId],
    );
  const row = rows[0];
  if (!row) return null;
  const expected = Buffer.from(row.secret_hash, 'hex');
  const actual = Buffer.from(hashSecret(parsed.secret), 'hex');
  if (!timingSafeEqual(expected, actual)) return null;
  return { keyId: row.key_id, storeId: row.store_id, terminalId: row.terminal_id };
}
