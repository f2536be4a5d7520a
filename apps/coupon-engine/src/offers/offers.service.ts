import { Injectable } from '@nestjs/common';
import { OfferIssuedV1, ProfileChangedV1, TOPICS, decideOffersToIssue } from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LiveRulesQuery } from '../rules/live-rules.query';
import { generateOfferCode } from './offer-code';
import { Offer } from './offer.entity';

@Injectable()
export class OffersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly liveRules: LiveRulesQuery,
    private readonly outbox: Outbox,
  ) {}

  /** Issues the offers this profile change earns; the same event twice issues nothing more. */
  async issueForProfile(event: ProfileChangedV1, now: Date): Promise<number> {
    const { shopperId } = event.profile;
    return this.dataSource.transaction(async (manager) => {
      const rules = await this.liveRules.find(manager, now);
      if (rules.length === 0) return 0;
      const counts: { rule_id: string; issued: number }[] = await manager.query(
        `SELECT rule_id, count(*)::int AS issued FROM coupons.offers WHERE shopper_id = $1 GROUP BY rule_id`,
        [shopperId],
      );
      const decided = decideOffersToIssue(
        rules,
        event.profile,
        new Map(counts.map((c) => [c.rule_id, c.issued])),
        now,
      );
      if (decided.length === 0) return 0;
      const offers = decided.map((d) => ({
        id: randomUUID(),
        code: generateOfferCode(),
        shopperId,
        ruleId: d.ruleId,
        reward: d.reward,
        validFrom: new Date(d.validFrom),
        validUntil: new Date(d.validUntil),
        reason: d.reason,
        triggerEventId: event.eventId,
        issuedAt: now,
      }));
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(Offer)
        .values(offers)
        // A redelivered event conflicts here; a (vanishingly rare) code collision fails and is retried.
        .onConflict('(rule_id, shopper_id, trigger_event_id) DO NOTHING')
        .returning('id')
        .execute();
      const insertedIds = new Set((inserted.raw as { id: string }[]).map((r) => r.id));
      const fresh = offers.filter((o) => insertedIds.has(o.id));
      await this.outbox.append(
        manager,
        fresh.map((o) => ({
          topic: TOPICS.offerIssued,
          key: shopperId,
          value: {
            offerId: o.id,
            code: o.code,
            shopperId,
            ruleId: o.ruleId,
            reward: o.reward,
            validFrom: o.validFrom.toISOString(),
            validUntil: o.validUntil.toISOString(),
            issuedAt: o.issuedAt.toISOString(),
            reason: o.reason,
          } satisfies OfferIssuedV1,
        })),
      );
      return fresh.length;
    });
  }
}
