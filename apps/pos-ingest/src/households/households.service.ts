import { Injectable } from '@nestjs/common';
import {
  HouseholdChangedV1,
  ShopperErasedV1,
  householdIdForCard,
  planCardClaims,
  erasureHash,
} from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../config';
import { ProfileSumsQueries } from '../profiles/profile-sums.queries';
import { ProfilesQueries } from '../profiles/profiles.queries';
import { profileChanged } from '../transactions/projection.service';
import { HouseholdsQueries } from './households.queries';

@Injectable()
export class HouseholdsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly households: HouseholdsQueries,
    private readonly profiles: ProfilesQueries,
    private readonly sums: ProfileSumsQueries,
    private readonly outbox: Outbox,
    private readonly config: PosIngestConfig,
  ) {}

  async applyAll(events: readonly HouseholdChangedV1[]): Promise<void> {
    for (const event of events) await this.apply(event, new Date());
  }

  async eraseAll(events: readonly ShopperErasedV1[]): Promise<void> {
    for (const event of events) await this.erase(event);
  }

  /**
   * Keeps the copy of one household, in one database transaction. An event no newer than the
   * copy changes nothing. A listed card joins the household unless a newer event gave it to
   * another one; a card that moves takes its transactions along, and the profiles of the
   * household it left and of this one are rebuilt from their transactions and published.
   */
  async apply(event: HouseholdChangedV1, now: Date): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      if (!(await this.households.upsertHousehold(m, event))) return;
      const hashOf = (card: string) =>
        erasureHash(this.config.erasureHashKey, card).toString('hex');
      const erased = await this.households.findErased(
        m,
        event.cards.map((c) => hashOf(c.cardNumber)),
      );
      const cards = event.cards.filter((c) => !erased.has(hashOf(c.cardNumber)));
      const held = await this.households.lockCards(m, event.householdId, event.changedAt, cards);
      const { claims, moves } = planCardClaims({ ...event, cards }, held);
      await this.households.claimCards(m, event.householdId, event.changedAt, claims);
      if (moves.length === 0) return;
      await this.households.moveTransactions(
        m,
        event.householdId,
        moves.map((move) => move.cardNumber),
      );
      const affected = [...new Set([event.householdId, ...moves.map((move) => move.from)])];
      await this.sums.rebuildSums(m, affected);
      await this.profiles.rebuildProfiles(m, affected, this.config.pointsPerCurrencyUnit, now);
      await this.sums.refreshLifetimeFacts(m, affected);
      const profiles = await this.profiles.findProfiles(m, affected);
      await this.outbox.append(
        m,
        profiles.map((profile) => profileChanged(profile, now)),
      );
    });
  }

  /**
   * Erases what pos-ingest knows of a household, in one database transaction: its cards are
   * remembered by keyed hash only, so the projector treats them as anonymous from now on (also
   * in a replay), and later events for the household change nothing.
   */
  async erase(event: ShopperErasedV1): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const cards = await this.households.markErased(m, event.householdId, event.erasedAt);
      await this.households.erase(
        m,
        event.householdId,
        cards,
        cards.map((card) => erasureHash(this.config.erasureHashKey, card).toString('hex')),
        cards.map(householdIdForCard),
      );
    });
  }
}
