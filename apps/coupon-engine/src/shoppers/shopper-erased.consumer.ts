import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ShopperErasedV1 } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { CouponEngineConfig } from '../config';
import { couponEngineEventGroups } from '../event-groups';
import { ShopperErasedDto } from './shopper-erased.dto';
import { ShopperErasureService } from './shopper-erasure.service';

/** Erasures decided in loyalty-api, honoured in the engine's tables. */
@Injectable()
export class ShopperErasedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<ShopperErasedV1>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    erasure: ShopperErasureService,
    config: CouponEngineConfig,
  ) {
    this.consumer = new EventConsumer<ShopperErasedV1>(kafka, producer, {
      ...couponEngineEventGroups(config.COUPON_ENGINE_GROUP_PREFIX).erasures,
      sessionTimeoutMs: config.COUPON_ENGINE_SESSION_TIMEOUT_MS,
      parse: (value) => parseMessage(ShopperErasedDto, value),
      handleBatch: (events) => erasure.erase(events),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
