import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { RuleChangedV2 } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { Kafka } from 'kafkajs';
import { CouponEngineConfig } from '../config';
import { couponEngineEventGroups } from '../event-groups';
import { parseRuleChanged } from './rule-changed.dto';
import { RulesCopyService } from './rules-copy.service';

/** Marketing's rule changes (loyalty-api) keep the engine's copy of the rules. */
@Injectable()
export class RuleChangedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<RuleChangedV2>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    rules: RulesCopyService,
    config: CouponEngineConfig,
  ) {
    this.consumer = new EventConsumer<RuleChangedV2>(kafka, producer, {
      ...couponEngineEventGroups(config.COUPON_ENGINE_GROUP_PREFIX).ruleCopies,
      sessionTimeoutMs: config.COUPON_ENGINE_SESSION_TIMEOUT_MS,
      parse: (value) => parseRuleChanged(value, config.LOYALTY_CARD_PREFIX),
      handleBatch: (events) => rules.apply(events, new Date()),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
