import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { StoreChangedV1 } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { CouponEngineConfig } from '../config';
import { couponEngineEventGroups } from '../event-groups';
import { StoreChangedDto } from './store-changed.dto';
import { StoreRegionsService } from './store-regions.service';

/** The store register's changes (loyalty-api) keep the engine's copy of the stores' regions. */
@Injectable()
export class StoreChangedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<StoreChangedV1>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    regions: StoreRegionsService,
    config: CouponEngineConfig,
  ) {
    this.consumer = new EventConsumer<StoreChangedV1>(kafka, producer, {
      ...couponEngineEventGroups(config.COUPON_ENGINE_GROUP_PREFIX).stores,
      sessionTimeoutMs: config.COUPON_ENGINE_SESSION_TIMEOUT_MS,
      parse: (value) => parseMessage(StoreChangedDto, value),
      handleBatch: (events) => regions.apply(events),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
