import { generateTerminalKey } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { TerminalApiKey } from './terminal-api-key.entity';

/** Creates a terminal API key and returns it; it is shown once and cannot be recovered. */
export async function createTerminalKey(
  dataSource: DataSource,
  storeId: string,
  terminalId: string,
): Promise<string> {
  const key = generateTerminalKey();
  await dataSource.getRepository(TerminalApiKey).insert({
    keyId: key.keyId,
    storeId,
    terminalId,
    secretHash: key.secretHash,
  });
  return key.apiKey;
}
