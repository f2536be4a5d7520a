import { hashSecret, parseTerminalKey } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { createTerminalKey } from '../../apps/loyalty-api/src/terminals/create-terminal-key';

/**
 * A new API key for a terminal of `storeId`, as the CLI creates it, and already in pos-ingest's
 * copy of the keys, as its consumer would put it there from the key's event: a test (or a bench)
 * of the intake alone runs no loyalty-api to relay that event.
 */
export async function createTerminal(
  db: DataSource,
  storeId: string,
  terminalId = 'lane-1',
): Promise<string> {
  const apiKey = await createTerminalKey(db, storeId, terminalId);
  const { keyId, secret } = parseTerminalKey(apiKey) as { keyId: string; secret: string };
  await db.query(
    `INSERT INTO ingest.terminal_keys (key_id, store_id, terminal_id, secret_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key_id) DO NOTHING`,
    [keyId, storeId, terminalId, hashSecret(secret)],
  );
  return apiKey;
}
