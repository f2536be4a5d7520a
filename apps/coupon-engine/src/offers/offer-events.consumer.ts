import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ProfileChangedV1 } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { CouponEngineConfig } from '../config';
import { couponEngineEventGroups } from '../event-groups';
import { ProfileChangedDto } from './offer-events.dto';
import { OffersService } from './offers.service';

/** Profile changes trigger offers. */
@Injectable()
export class OfferEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: Pick<EventConsumer<unknown>, 'start' | 'stop'>[];

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    offers: OffersService,
    config: CouponEngineConfig,
  ) {
    const groups = couponEngineEventGroups(config.COUPON_ENGINE_GROUP_PREFIX);
    const sessionTimeoutMs = config.COUPON_ENGINE_SESSION_TIMEOUT_MS;
    this.consumers = [
      new EventConsumer<ProfileChangedV1>(kafka, producer, {
        ...groups.profileTriggers,
        sessionTimeoutMs,
        parse: (value) => parseMessage(ProfileChangedDto, value) as ProfileChangedV1,
        handleBatch: async (events) => {
          for (const event of events) await offers.issueForProfile(event, new Date());
        },
      }),
    ];
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.start()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}
