import { Injectable } from '@nestjs/common';
import {
  ProfileChangedV1,
  ProfileEffect,
  ShopperProfile,
  TOPICS,
  TransactionRecordedV1,
  addProfileEffects,
  applyProfileEffect,
  planProjection,
  profileEffect,
  storeDayEffect,
  sumStoreDays,
  transactionKey,
} from '@loyalty/domain';
import { OutboxRelay, appendToOutbox } from '@loyalty/kafka';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../config';
import { OUTBOX_TABLE } from '../database/data-source';
import { LedgerEntry, ProjectionQueries } from './projection.queries';

export interface ProjectionResult {
  projected: number;
  duplicates: number;
}

@Injectable()
export class ProjectionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: ProjectionQueries,
    private readonly relay: OutboxRelay,
    private readonly config: PosIngestConfig,
  ) {}

  /**
   * Stores a batch of transactions and folds the new ones into profiles, the points ledger and
   * store sales, with one ProfileChanged event per changed shopper, all in one database
   * transaction. Transactions already stored (same store and POS id) change nothing.
   */
  async projectBatch(
    batch: readonly TransactionRecordedV1[],
    now: Date,
  ): Promise<ProjectionResult> {
    const result = await this.dataSource.transaction(async (m) => {
      const cards = [...new Set(batch.flatMap((tx) => (tx.cardNumber ? [tx.cardNumber] : [])))];
      const shopperByCard = await this.queries.resolveShoppers(m, cards);
      const shopperOf = new Map(
        batch.map((tx) => [
          transactionKey(tx),
          tx.cardNumber ? (shopperByCard.get(tx.cardNumber) ?? null) : null,
        ]),
      );
      const freshKeys = await this.queries.insertTransactions(
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
      const stored = await this.queries.findStored(m, originalKeys);
      for (const original of stored.values())
        shopperOf.set(transactionKey(original.tx), original.shopperId);
      const voidedEarlier = await this.queries.findVoided(
        m,
        fresh.filter((tx) => tx.type !== 'void').map(transactionKey),
        freshKeys,
      );
      const plan = planProjection(fresh, stored, voidedEarlier);
      await this.queries.markVoided(m, plan.voided);

      const effects = new Map<string, ProfileEffect>();
      const ledger: LedgerEntry[] = [];
      const unvisited = new Set<string>();
      for (const { tx, sign, cause } of plan.effects) {
        const shopperId = shopperOf.get(transactionKey(tx));
        if (!shopperId) continue;
        const effect = profileEffect(tx, sign, this.config.pointsPerCurrencyUnit);
        const sum = effects.get(shopperId);
        effects.set(shopperId, sum ? addProfileEffects(sum, effect) : effect);
        if (effect.points !== 0) {
          ledger.push({
            shopperId,
            kind: effect.points > 0 ? 'earn' : 'reverse',
            points: effect.points,
            sourceId: transactionKey(cause),
          });
        }
        if (effect.visits < 0) unvisited.add(shopperId);
      }
      const shopperIds = [...effects.keys()];
      const profiles = await this.queries.lockProfiles(m, shopperIds);
      const recounted = await this.queries.recountVisits(m, [...unvisited]);
      const changed: ShopperProfile[] = shopperIds.map((shopperId) => {
        const profile = applyProfileEffect(
          profiles.get(shopperId) as ShopperProfile,
          effects.get(shopperId) as ProfileEffect,
        );
        return { ...profile, ...recounted.get(shopperId) };
      });
      await this.queries.saveProfiles(m, changed, now);
      await this.queries.insertLedgerEntries(m, ledger);
      await this.queries.addStoreDays(
        m,
        sumStoreDays(plan.effects.map(({ tx, sign }) => storeDayEffect(tx, sign))),
      );
      await appendToOutbox(
        m,
        OUTBOX_TABLE,
        changed.map((profile) => ({
          topic: TOPICS.profileChanged,
          key: profile.shopperId,
          value: {
            eventId: randomUUID(),
            changedAt: now.toISOString(),
            profile,
          } satisfies ProfileChangedV1,
        })),
      );
      return {
        projected: fresh.length,
        duplicates: batch.length - fresh.length,
        changedProfiles: changed.length,
      };
    });
    if (result.changedProfiles > 0) this.relay.wake();
    return { projected: result.projected, duplicates: result.duplicates };
  }
}
