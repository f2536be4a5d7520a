import { Injectable } from '@nestjs/common';
import { RuleChangedV1 } from '@loyalty/domain';
import { DataSource } from 'typeorm';

@Injectable()
export class RulesCopyService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies rule changes to the engine's copy, in order. A change older than (or as old as) the
   * copy's version is ignored, so redelivery and replays never bring back an older rule.
   */
  async apply(events: readonly RuleChangedV1[]): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      for (const { rule, version, changedAt } of events) {
        await manager.query(
          `INSERT INTO coupons.rules AS r (id, name, status, audience, reward, valid_from, valid_until,
                                           offer_valid_days, per_shopper_limit, version, changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (id) DO UPDATE
             SET name = EXCLUDED.name, status = EXCLUDED.status, audience = EXCLUDED.audience,
                 reward = EXCLUDED.reward, valid_from = EXCLUDED.valid_from,
                 valid_until = EXCLUDED.valid_until, offer_valid_days = EXCLUDED.offer_valid_days,
                 per_shopper_limit = EXCLUDED.per_shopper_limit, version = EXCLUDED.version,
                 changed_at = EXCLUDED.changed_at, received_at = now()
           WHERE r.version < EXCLUDED.version`,
          [
            rule.id,
            rule.name,
            rule.status,
            JSON.stringify(rule.audience),
            JSON.stringify(rule.reward),
            rule.validFrom,
            rule.validUntil,
            rule.offerValidDays,
            rule.perShopperLimit,
            version,
            changedAt,
          ],
        );
      }
    });
  }
}
