import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HouseholdChangedV1, ShopperErasedV1, TOPICS } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { PosIngestConfig } from '../config';
import { HouseholdChangedDto, ShopperErasedDto } from './household-events.dto';
import { HouseholdsService } from './households.service';

/** loyalty-api's households keep pos-ingest's copy; its erasures remove what pos-ingest knows. */
@Injectable()
export class HouseholdsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly changes: EventConsumer<HouseholdChangedV1>;
  private readonly erasures: EventConsumer<ShopperErasedV1>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    households: HouseholdsService,
    private readonly config: PosIngestConfig,
  ) {
    this.changes = new EventConsumer<HouseholdChangedV1>(kafka, producer, {
      groupId: config.HOUSEHOLDS_GROUP_ID,
      topic: TOPICS.householdChanged,
      parse: (value) => parseMessage(HouseholdChangedDto, value) as HouseholdChangedV1,
      handleBatch: (events) => households.applyAll(events),
    });
    this.erasures = new EventConsumer<ShopperErasedV1>(kafka, producer, {
      groupId: config.ERASURES_GROUP_ID,
      topic: TOPICS.shopperErased,
      parse: (value) => parseMessage(ShopperErasedDto, value) as ShopperErasedV1,
      handleBatch: (events) => households.eraseAll(events),
    });
  }

  // The copy is the projector's: a process that only runs the intake keeps none.
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.PROJECTOR_ENABLED !== 'true') return;
    await this.changes.start();
    await this.erasures.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.changes.stop();
    await this.erasures.stop();
  }
}
