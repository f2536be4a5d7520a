import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HouseholdChangedV1, LifecycleChangedV1, ProfileChangedV2 } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { CouponEngineConfig } from '../config';
import { couponEngineEventGroups } from '../event-groups';
import { IssuanceService } from '../offers/issuance.service';
import {
  HouseholdChangedDto,
  LifecycleChangedDto,
  ProfileChangedV2Dto,
} from './household-events.dto';
import { HouseholdFactsService } from './household-facts.service';

/**
 * pos-ingest's profile facts and lifecycle transitions and loyalty-api's households keep the
 * engine's copy of household facts; each change of facts or household then triggers the profile-change rules for the households it touched (a
 * household that just gave its consent may now match).
 */
@Injectable()
export class HouseholdFactsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: Pick<EventConsumer<unknown>, 'start' | 'stop'>[];

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    facts: HouseholdFactsService,
    issuance: IssuanceService,
    config: CouponEngineConfig,
  ) {
    const groups = couponEngineEventGroups(config.COUPON_ENGINE_GROUP_PREFIX);
    const sessionTimeoutMs = config.COUPON_ENGINE_SESSION_TIMEOUT_MS;
    const issueFor = (events: readonly { householdId: string }[]) =>
      issuance.issueOnProfileChange([...new Set(events.map((e) => e.householdId))], new Date());
    this.consumers = [
      new EventConsumer<ProfileChangedV2>(kafka, producer, {
        ...groups.profileFacts,
        sessionTimeoutMs,
        parse: (value) => parseMessage(ProfileChangedV2Dto, value) as ProfileChangedV2,
        handleBatch: async (events) => {
          await facts.applyFacts(events);
          await issueFor(events);
        },
      }),
      new EventConsumer<LifecycleChangedV1>(kafka, producer, {
        ...groups.lifecycles,
        sessionTimeoutMs,
        parse: (value) => parseMessage(LifecycleChangedDto, value) as LifecycleChangedV1,
        handleBatch: (events) => facts.applyTransitions(events),
      }),
      new EventConsumer<HouseholdChangedV1>(kafka, producer, {
        ...groups.households,
        sessionTimeoutMs,
        parse: (value) => parseMessage(HouseholdChangedDto, value) as HouseholdChangedV1,
        handleBatch: async (events) => {
          await facts.applyHouseholds(events, new Date());
          await issueFor(events.filter((e) => e.mergedInto === null));
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
