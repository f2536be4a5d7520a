import { Injectable } from '@nestjs/common';
import { JobContext } from '@loyalty/platform';
import { DataSource, EntityManager } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { birthdaysOn } from './message-calendar';
import { PurchaseAnniversariesQuery } from './purchase-anniversaries.query';

// Joins the households of `householdId` whose account holder may be written to now.
const reachable = (householdId: string) => `
  JOIN loyalty.households h ON h.id = ${householdId} AND h.erased_at IS NULL
  JOIN loyalty.consents c ON c.household_id = h.id AND c.purpose = 'email' AND c.granted`;

/**
 * Queues one day's messages: birthday greetings, thanks on the anniversary of the first purchase,
 * and notices of usable offers ending soon. Each is kept unique by the queue's keys (household,
 * kind, year; kind, offer), so running a day again queues nothing twice.
 */
@Injectable()
export class DailyMessagesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
    private readonly anniversaries: PurchaseAnniversariesQuery,
  ) {}

  /** `day` is the programme's local date (`YYYY-MM-DD`); `now` bounds the expiring offers. */
  async queueDay(day: string, now: Date, context?: JobContext): Promise<void> {
    const year = Number(day.slice(0, 4));
    const timeZone = this.config.PROGRAMME_TIME_ZONE;
    await this.dataSource.transaction(async (manager) => {
      await this.queueBirthdays(manager, day, year);
      const households = await this.anniversaries.householdsOn(
        manager,
        birthdaysOn(day),
        year,
        timeZone,
      );
      await manager.query(
        `INSERT INTO loyalty.shopper_messages (household_id, kind, year)
         SELECT m.household_id, 'purchase-anniversary', $2
           FROM unnest($1::uuid[]) AS m(household_id) ${reachable('m.household_id')}
         ON CONFLICT DO NOTHING`,
        [households, year],
      );
      await manager.query(
        `INSERT INTO loyalty.shopper_messages (household_id, kind, offer_id)
         SELECT o.shopper_id, 'offer-expiring', o.id
           FROM loyalty.offers o ${reachable('o.shopper_id')}
          WHERE o.state IN ('issued', 'clipped') AND o.valid_from <= $1
            AND o.valid_until > $1 AND o.valid_until <= $1 + $2 * interval '1 day'
         ON CONFLICT DO NOTHING`,
        [now, this.config.OFFER_EXPIRING_NOTICE_DAYS],
      );
      if (context) await context.checkpoint(manager, 'queued');
    });
  }

  // A greeting without an offer: a birthday offer that arrived before queued its own (see
  // offer-messages.ts), which this one then meets on the unique key.
  private async queueBirthdays(manager: EntityManager, day: string, year: number): Promise<void> {
    await manager.query(
      `INSERT INTO loyalty.shopper_messages (household_id, kind, year)
       SELECT m.household_id, 'birthday', $2
         FROM loyalty.shoppers m ${reachable('m.household_id')}
        WHERE m.account_holder AND to_char(m.birthday, 'MM-DD') = ANY($1::text[])
       ON CONFLICT DO NOTHING`,
      [birthdaysOn(day), year],
    );
  }
}
