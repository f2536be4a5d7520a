import { Injectable } from '@nestjs/common';
import {
  ProfileChangedV1,
  ShopperProfile,
  TOPICS,
  TransactionRecordedV1,
  applyTransaction,
  emptyProfile,
} from '@loyalty/domain';
import { OutboxRelay, appendToOutbox } from '@loyalty/kafka';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { OUTBOX_TABLE } from '../database/data-source';
import { Card } from './card.entity';
import { Profile } from './profile.entity';
import { Shopper } from './shopper.entity';
import { Transaction } from './transaction.entity';

function toDomain(row: Profile): ShopperProfile {
  return {
    shopperId: row.shopperId,
    lifetimeSpendCents: row.lifetimeSpendCents,
    visits: row.visits,
    firstVisitAt: row.firstVisitAt?.toISOString() ?? null,
    lastVisitAt: row.lastVisitAt?.toISOString() ?? null,
    spendByDepartmentCents: row.spendByDepartmentCents,
  };
}

function toRow(profile: ShopperProfile, now: Date): Profile {
  return {
    ...profile,
    firstVisitAt: profile.firstVisitAt ? new Date(profile.firstVisitAt) : null,
    lastVisitAt: profile.lastVisitAt ? new Date(profile.lastVisitAt) : null,
    updatedAt: now,
  };
}

function utcOffsetOf(isoDateTime: string): string {
  const offset = /(Z|[+-]\d{2}:\d{2})$/.exec(isoDateTime)?.[1] ?? 'Z';
  return offset === 'Z' ? '+00:00' : offset;
}

@Injectable()
export class ProjectionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * Stores the transaction, folds it into the shopper's profile and queues a ProfileChanged event,
   * all in one database transaction. A transaction already stored (same store and POS transaction
   * id) changes nothing.
   */
  async project(tx: TransactionRecordedV1, now: Date): Promise<'projected' | 'duplicate'> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const shopperId = await this.shopperForCard(manager, tx.cardNumber);
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(Transaction)
        .values({
          posTransactionId: tx.posTransactionId,
          storeId: tx.storeId,
          terminalId: tx.terminalId,
          cardNumber: tx.cardNumber,
          shopperId,
          occurredAt: new Date(tx.occurredAt),
          utcOffset: utcOffsetOf(tx.occurredAt),
          totalCents: tx.totalCents,
          lines: tx.lines,
          receivedAt: new Date(tx.receivedAt),
        })
        .onConflict('(store_id, pos_transaction_id) DO NOTHING')
        .returning('id')
        .execute();
      if (inserted.raw.length === 0) return 'duplicate';

      // Create the profile row first, so the lock below always has a row to hold.
      await manager
        .createQueryBuilder()
        .insert()
        .into(Profile)
        .values(toRow(emptyProfile(shopperId), now))
        .onConflict('(shopper_id) DO NOTHING')
        .execute();
      const row = await manager.findOneOrFail(Profile, {
        where: { shopperId },
        lock: { mode: 'pessimistic_write' },
      });
      const profile = applyTransaction(toDomain(row), tx);
      await manager.update(Profile, { shopperId }, toRow(profile, now));
      const event: ProfileChangedV1 = {
        eventId: `${shopperId}:${tx.storeId}:${tx.posTransactionId}`,
        changedAt: now.toISOString(),
        cause: { posTransactionId: tx.posTransactionId },
        profile,
      };
      await appendToOutbox(manager, OUTBOX_TABLE, [
        { topic: TOPICS.profileChanged, key: shopperId, value: event },
      ]);
      return 'projected';
    });
    if (outcome === 'projected') this.relay.wake();
    return outcome;
  }

  /** The card's shopper; a valid card never seen before becomes a new unregistered shopper. */
  private async shopperForCard(manager: EntityManager, cardNumber: string): Promise<string> {
    const card = await manager.findOneBy(Card, { cardNumber });
    if (card) return card.shopperId;
    const shopperId = randomUUID();
    await manager.insert(Shopper, { id: shopperId, registered: false });
    await manager.insert(Card, { cardNumber, shopperId, status: 'active' });
    return shopperId;
  }
}
