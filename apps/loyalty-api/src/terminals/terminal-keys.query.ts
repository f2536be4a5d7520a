import { Injectable } from '@nestjs/common';
import { StoredTerminalKey, TerminalKeyLookup } from '@loyalty/platform';
import { DataSource, IsNull } from 'typeorm';
import { TerminalApiKey } from './terminal-api-key.entity';

/** The app's own terminal keys, for the auth guard. */
@Injectable()
export class TerminalKeysQuery extends TerminalKeyLookup {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async findActive(keyId: string): Promise<StoredTerminalKey | null> {
    const key = await this.dataSource
      .getRepository(TerminalApiKey)
      .findOneBy({ keyId, revokedAt: IsNull() });
    return (
      key && { keyId, storeId: key.storeId, terminalId: key.terminalId, secretHash: key.secretHash }
    );
  }
}
