import { StoreChangedV1 } from '@loyalty/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The engine's copy of the store register's regions (`coupons.store_regions`), from loyalty-api's
 * `store-changed` events: a household's `region` is its home store's, read when an audience is
 * judged. A store moves only to a higher version, so redelivery and replays never bring back an
 * older region.
 */
@Injectable()
export class StoreRegionsService {
  constructor(private readonly dataSource: DataSource) {}

  async apply(events: readonly StoreChangedV1[]): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO coupons.store_regions AS s (store_id, region, version)
       SELECT DISTINCT ON ("storeId") "storeId", region, version
         FROM jsonb_to_recordset($1::jsonb) AS e("storeId" text, region text, version int)
        ORDER BY "storeId", version DESC
       ON CONFLICT (store_id) DO UPDATE
         SET region = EXCLUDED.region, version = EXCLUDED.version, updated_at = now()
       WHERE s.version < EXCLUDED.version`,
      [JSON.stringify(events)],
    );
  }
}
