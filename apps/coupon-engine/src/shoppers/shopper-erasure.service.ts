import { Injectable } from '@nestjs/common';
import { ShopperErasedV1 } from '@loyalty/domain';
import { DataSource } from 'typeorm';

/**
 * Honours erasure in the engine: its copy of the household's facts and lifecycle transitions goes, and so do the facts an
 * offer was issued (or held out) for; the offer itself stays, under the household's id that no
 * longer leads to a person, so budgets, caps and campaign counts stay right.
 */
@Injectable()
export class ShopperErasureService {
  constructor(private readonly dataSource: DataSource) {}

  async erase(events: readonly ShopperErasedV1[]): Promise<void> {
    await this.dataSource.query(
      `WITH facts AS (DELETE FROM coupons.household_facts WHERE household_id = ANY($1::uuid[])),
            transitions AS (DELETE FROM coupons.lifecycle_transitions
                             WHERE household_id = ANY($1::uuid[])),
            holdouts AS (UPDATE coupons.holdouts SET reason = '{}'
                          WHERE household_id = ANY($1::uuid[]) AND reason <> '{}')
       UPDATE coupons.offers SET reason = '[]' WHERE shopper_id = ANY($1::uuid[]) AND reason <> '[]'`,
      [events.map((e) => e.householdId)],
    );
  }
}
