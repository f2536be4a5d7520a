import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { OfferIssuedV2, TOPICS } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { Kafka } from 'kafkajs';
import { LoyaltyApiConfig } from '../config';
import { parseOfferIssued } from './offer-issued.dto';
import { OfferWalletService } from './offer-wallet.service';

/** loyalty-api's consumer groups, one per topic it reads. */
export function loyaltyApiEventGroups(prefix: string) {
  return {
    offerWallet: { groupId: `${prefix}.offer-wallet`, topic: TOPICS.offerIssuedV2 },
  };
}

/** Offers the coupon engine issued enter the shoppers' wallets. */
@Injectable()
export class OfferWalletConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer<OfferIssuedV2>;

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    wallet: OfferWalletService,
    config: LoyaltyApiConfig,
  ) {
    this.consumer = new EventConsumer<OfferIssuedV2>(kafka, producer, {
      ...loyaltyApiEventGroups(config.LOYALTY_API_GROUP_PREFIX).offerWallet,
      sessionTimeoutMs: config.LOYALTY_API_SESSION_TIMEOUT_MS,
      parse: parseOfferIssued,
      handleBatch: (events) => wallet.receiveIssued(events),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
