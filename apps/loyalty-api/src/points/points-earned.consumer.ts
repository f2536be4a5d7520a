import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { PointsEarnedV1, TOPICS } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { Kafka } from 'kafkajs';
import { LoyaltyApiConfig } from '../config';
import { PointsEarnedDto } from './points-earned.dto';
import { PointsService } from './points.service';

/** The group that books pos-ingest's points-earned events: `<prefix>.points`. */
export function pointsEventGroup(prefix: string) {
  return { groupId: `${prefix}.points`, topic: TOPICS.pointsEarned };
}

/** Points the transactions earned or gave back enter the households' ledgers. */
@Injectable()
export class PointsEarnedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<PointsEarnedV1>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    points: PointsService,
    config: LoyaltyApiConfig,
  ) {
    this.consumer = new EventConsumer<PointsEarnedV1>(kafka, producer, {
      ...pointsEventGroup(config.LOYALTY_API_GROUP_PREFIX),
      sessionTimeoutMs: config.LOYALTY_API_SESSION_TIMEOUT_MS,
      parse: (value) => parseMessage(PointsEarnedDto, value) as PointsEarnedV1,
      handleBatch: (events) => points.bookEarned(events),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
