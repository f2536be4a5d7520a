import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, TerminalKeyChangedV1 } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { PosIngestConfig } from '../config';
import { TerminalKeyChangedDto } from './terminal-key-changed.dto';
import { TerminalKeysService } from './terminal-keys.service';

/** Terminal keys created and revoked in loyalty-api keep the intake's copy. */
@Injectable()
export class TerminalKeysConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<TerminalKeyChangedV1>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    keys: TerminalKeysService,
    config: PosIngestConfig,
  ) {
    this.consumer = new EventConsumer<TerminalKeyChangedV1>(kafka, producer, {
      groupId: config.TERMINAL_KEYS_GROUP_ID,
      topic: TOPICS.terminalKeyChanged,
      parse: (value) => parseMessage(TerminalKeyChangedDto, value) as TerminalKeyChangedV1,
      handleBatch: (events) => keys.apply(events),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
