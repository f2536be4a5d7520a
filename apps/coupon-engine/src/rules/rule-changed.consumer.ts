import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { RuleChangedV1 } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { CouponEngineConfig } from '../config';
import { couponEngineEventGroups } from '../event-groups';
import { RuleChangedDto } from './rule-changed.dto';
import { RulesCopyService } from './rules-copy.service';

/** Marketing's rule changes (loyalty-api) keep the engine's copy of the rules. */
@Injectable()
export class RuleChangedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<RuleChangedV1>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    rules: RulesCopyService,
    config: CouponEngineConfig,
  ) {
    this.consumer = new EventConsumer<RuleChangedV1>(kafka, producer, {
      ...couponEngineEventGroups(config.COUPON_ENGINE_GROUP_PREFIX).ruleCopies,
      sessionTimeoutMs: config.COUPON_ENGINE_SESSION_TIMEOUT_MS,
      parse: (value) => parseMessage(RuleChangedDto, value) as RuleChangedV1,
      handleBatch: (events) => rules.apply(events),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
