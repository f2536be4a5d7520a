import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { OfferIssuedV2, OfferWithdrawnV1, TOPICS } from '@loyalty/domain';
import { EventConsumer, EventProducer } from '@loyalty/kafka';
import { Kafka } from 'kafkajs';
import { LoyaltyApiConfig } from '../config';
import { parseOfferIssued } from './offer-issued.dto';
import { parseOfferWithdrawn } from './offer-withdrawn.dto';
import { OfferWalletService } from './offer-wallet.service';

/** loyalty-api's consumer groups, one per topic it reads. */
export function loyaltyApiEventGroups(prefix: string) {
  return {
    offerWallet: { groupId: `${prefix}.offer-wallet`, topic: TOPICS.offerIssuedV2 },
    offerWithdrawals: {
      groupId: `${prefix}.offer-withdrawals`,
      topic: TOPICS.offerWithdrawn,
    },
    householdTiers: { groupId: `${prefix}.household-tiers`, topic: TOPICS.profileChangedV2 },
  };
}

/** Offers the coupon engine issued enter the shoppers' wallets; those it withdrew leave them. */
@Injectable()
export class OfferWalletConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumers: Pick<EventConsumer<unknown>, 'start' | 'stop'>[];

  constructor(
    kafka: Kafka,
    producer: EventProducer,
    wallet: OfferWalletService,
    config: LoyaltyApiConfig,
  ) {
    const groups = loyaltyApiEventGroups(config.LOYALTY_API_GROUP_PREFIX);
    const sessionTimeoutMs = config.LOYALTY_API_SESSION_TIMEOUT_MS;
    this.consumers = [
      new EventConsumer<OfferIssuedV2>(kafka, producer, {
        ...groups.offerWallet,
        sessionTimeoutMs,
        parse: parseOfferIssued,
        handleBatch: (events) => wallet.receiveIssued(events),
      }),
      new EventConsumer<OfferWithdrawnV1>(kafka, producer, {
        ...groups.offerWithdrawals,
        sessionTimeoutMs,
        parse: parseOfferWithdrawn,
        handleBatch: (events) => wallet.receiveWithdrawn(events),
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
