import { Injectable } from '@nestjs/common';
import { CouponRule } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

interface RuleRow {
  id: string;
  name: string;
  status: CouponRule['status'];
  audience: CouponRule['audience'];
  reward: CouponRule['reward'];
  valid_from: Date;
  valid_until: Date;
  offer_valid_days: number;
  per_shopper_limit: number;
}

/** The rules live at `now`, from the engine's copy (`coupons.rules`, kept from rule-changed events). */
@Injectable()
export class LiveRulesQuery {
  async find(manager: EntityManager, now: Date): Promise<CouponRule[]> {
    const rows: RuleRow[] = await manager.query(
      `SELECT id, name, status, audience, reward, valid_from, valid_until, offer_valid_days, per_shopper_limit
         FROM coupons.rules
        WHERE status = 'active' AND valid_from <= $1 AND valid_until > $1
        ORDER BY valid_from, id`,
      [now],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      status: row.status,
      audience: row.audience,
      reward: row.reward,
      validFrom: row.valid_from.toISOString(),
      validUntil: row.valid_until.toISOString(),
      offerValidDays: row.offer_valid_days,
      perShopperLimit: row.per_shopper_limit,
    }));
  }
}
