import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { Kafka } from 'kafkajs';
import { LoyaltyApiConfig } from '../config';
import { SettlementTransactionDto, parseSettlementTransaction } from './settlement.dto';
import { SettlementService } from './settlement.service';

/** The group that settles checkouts from the POS transactions: `<prefix>.checkout-settlement`. */
export function settlementGroup(prefix: string) {
  return { groupId: `${prefix}.checkout-settlement`, topic: TOPICS.transactionRecorded };
}

/** Voids, returns and offline sales settle the checkouts the lanes made (`SettlementService`). */
@Injectable()
export class SettlementConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<SettlementTransactionDto | null>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    settlement: SettlementService,
    config: LoyaltyApiConfig,
  ) {
    this.consumer = new EventConsumer<SettlementTransactionDto | null>(kafka, producer, {
      ...settlementGroup(config.LOYALTY_API_GROUP_PREFIX),
      sessionTimeoutMs: config.LOYALTY_API_SESSION_TIMEOUT_MS,
      parse: parseSettlementTransaction,
      handleBatch: (events) =>
        settlement.settle(events.filter((e): e is SettlementTransactionDto => e !== null)),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
