import { Injectable } from '@nestjs/common';
import {
  ProfileChangedV1,
  ProfileEffect,
  ShopperProfile,
  TOPICS,
  TransactionRecordedV1,
  applyProfileEffect,
  mergeVisitDays,
  planBatchChanges,
  planProjection,
  transactionKey,
} from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../config';
import { CardsQueries } from '../cards/cards.queries';
import { pointsEarnedEvents } from '../points/points-earned.events';
import { ProductFactsQueries } from '../profiles/product-facts.queries';
import { ProfileSumsQueries } from '../profiles/profile-sums.queries';
import { ProfilesQueries, StoredProfile } from '../profiles/profiles.queries';
import { StoreSalesQueries } from '../store-sales/store-sales.queries';
import { TransactionsQueries } from './transactions.queries';

export interface ProjectionResult {
  projected: number;
  duplicates: number;
  /** The households whose profiles the batch changed. */
  households: string[];
}

/** `pos-ingest.profile-changed.v1`: the whole v1 profile, as its consumers know it. */
export function profileChanged(profile: ShopperProfile, now: Date) {
  return {
    topic: TOPICS.profileChanged,
    key: profile.shopperId,
    value: {
      eventId: randomUUID(),
      changedAt: now.toISOString(),
      profile,
    } satisfies ProfileChangedV1,
  };
}

@Injectable()
export class ProjectionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cards: CardsQueries,
    private readonly transactions: TransactionsQueries,
    private readonly profiles: ProfilesQueries,
    private readonly sums: ProfileSumsQueries,
    private readonly productFacts: ProductFactsQueries,
    private readonly storeSales: StoreSalesQueries,
    private readonly outbox: Outbox,
    private readonly config: PosIngestConfig,
  ) {}

  /**
   * Stores a batch of transactions and folds the new ones into profiles, their week and store sums
   * and store sales, and queues their effects on the product sums (folded by the product facts
   * job, with the top lists), with one ProfileChanged event per changed household and one PointsEarned event per
   * transaction that earns or takes back points, all in one database transaction. Transactions
   * already stored (same store and POS id) change nothing.
   */
  async projectBatch(
    received: readonly TransactionRecordedV1[],
    now: Date,
  ): Promise<ProjectionResult> {
    return this.dataSource.transaction(async (m) => {
      const cards = [...new Set(received.flatMap((tx) => (tx.cardNumber ? [tx.cardNumber] : [])))];
      const shopperByCard = await this.cards.resolveShoppers(m, cards);
      // An erased card has no household: its transactions are stored as anonymous, forever.
      const batch = received.map((tx): TransactionRecordedV1 => {
        if (!tx.cardNumber || shopperByCard.has(tx.cardNumber)) return tx;
        return { ...tx, cardNumber: undefined };
      });
      const shopperOf = new Map(
        batch.map((tx) => [
          transactionKey(tx),
          tx.cardNumber ? (shopperByCard.get(tx.cardNumber) ?? null) : null,
        ]),
      );
      const freshKeys = await this.transactions.insertTransactions(
        m,
        batch.map((tx) => ({
          tx,
          shopperId: shopperOf.get(transactionKey(tx)) ?? null,
          receivedAt: tx.receivedAt,
        })),
      );
      // A batch may carry the same transaction twice: the first one counts.
      const fresh = [
        ...new Map(
          batch
            .filter((tx) => freshKeys.has(transactionKey(tx)))
            .map((tx) => [transactionKey(tx), tx]),
        ).values(),
      ];

      const originalKeys = fresh.flatMap((tx) =>
        tx.type === 'void'
          ? [
              transactionKey({
                storeId: tx.storeId,
                posTransactionId: tx.originalPosTransactionId ?? '',
              }),
            ]
          : [],
      );
      const stored = await this.transactions.findStored(m, originalKeys);
      for (const original of stored.values())
        shopperOf.set(transactionKey(original.tx), original.shopperId);
      const voidedEarlier = await this.transactions.findVoided(
        m,
        fresh.filter((tx) => tx.type !== 'void').map(transactionKey),
        freshKeys,
      );
      const plan = planProjection(fresh, stored, voidedEarlier);
      await this.transactions.markVoided(m, plan.voided);

      const changes = planBatchChanges(
        plan,
        (tx) => shopperOf.get(transactionKey(tx)) ?? null,
        this.config.pointsPerCurrencyUnit,
      );
      const shopperIds = [...changes.profiles.keys()];
      const profiles = await this.profiles.lockProfiles(m, shopperIds);
      const recounted = await this.profiles.recountVisits(m, changes.visitsToRecount);
      const changed: StoredProfile[] = shopperIds.map((shopperId) => {
        const stored = profiles.get(shopperId) as StoredProfile;
        const profile = applyProfileEffect(
          stored.profile,
          changes.profiles.get(shopperId) as ProfileEffect,
        );
        const recount = recounted.get(shopperId);
        return {
          profile: recount
            ? { ...profile, firstVisitAt: recount.firstVisitAt, lastVisitAt: recount.lastVisitAt }
            : profile,
          recentVisitDays:
            recount?.recentVisitDays ??
            mergeVisitDays(stored.recentVisitDays, changes.visitDays.get(shopperId) ?? []),
        };
      });
      await this.profiles.saveProfiles(m, changed, now);
      await this.sums.addSums(m, changes.weeks, changes.stores);
      await this.sums.recountSums(m, changes.recount);
      await this.productFacts.queue(m, changes.productEffects);
      // The time-dependent facts (ProfileChangedV2) of the batch's households are refreshed after
      // the commit (ProfileFactsRefresher): in the batch they cost too much.
      await this.storeSales.addStoreDays(m, changes.storeDays);
      await this.outbox.append(m, [
        ...changed.map(({ profile }) => profileChanged(profile, now)),
        ...pointsEarnedEvents(changes.points),
      ]);
      return {
        projected: fresh.length,
        duplicates: batch.length - fresh.length,
        households: shopperIds,
      };
    });
  }
}
