import { TOPICS, TerminalKeyChangedV1 } from '@loyalty/domain';
import { appendToOutbox } from '@loyalty/kafka';
import { generateTerminalKey } from '@loyalty/platform';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { OUTBOX_TABLE } from '../database/data-source';
import { TerminalApiKey } from './terminal-api-key.entity';

// Keys are created and revoked from the CLI, outside the running app: each change and its event
// are written in one transaction, and loyalty-api's outbox relay publishes the event.

function publish(manager: EntityManager, key: TerminalApiKey): Promise<void> {
  return appendToOutbox(manager, OUTBOX_TABLE, [
    {
      topic: TOPICS.terminalKeyChanged,
      key: key.keyId,
      value: {
        keyId: key.keyId,
        storeId: key.storeId,
        terminalId: key.terminalId,
        secretHash: key.secretHash,
        revokedAt: key.revokedAt?.toISOString() ?? null,
      } satisfies TerminalKeyChangedV1,
    },
  ]);
}

/** Creates a terminal API key and returns it; it is shown once and cannot be recovered. */
export async function createTerminalKey(
  dataSource: DataSource,
  storeId: string,
  terminalId: string,
): Promise<string> {
  const key = generateTerminalKey();
  await dataSource.transaction(async (manager) => {
    const row = manager.create(TerminalApiKey, {
      keyId: key.keyId,
      storeId,
      terminalId,
      secretHash: key.secretHash,
      revokedAt: null,
    });
    await manager.insert(TerminalApiKey, row);
    await publish(manager, row);
  });
  return key.apiKey;
}

/** Revokes a key for good; false if there is no such key that is not revoked already. */
export async function revokeTerminalKey(dataSource: DataSource, keyId: string): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const key = await manager.findOneBy(TerminalApiKey, { keyId, revokedAt: IsNull() });
    if (!key) return false;
    key.revokedAt = new Date();
    await manager.update(TerminalApiKey, { keyId }, { revokedAt: key.revokedAt });
    await publish(manager, key);
    return true;
  });
}
