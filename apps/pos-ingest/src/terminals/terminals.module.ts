import { Module } from '@nestjs/common';
import { TerminalKeysConsumer } from './terminal-keys.consumer';
import { TerminalKeysService } from './terminal-keys.service';

/** pos-ingest's copy of the terminal keys, for the auth guard (`TerminalKeysQuery`). */
@Module({ providers: [TerminalKeysConsumer, TerminalKeysService] })
export class TerminalsModule {}
