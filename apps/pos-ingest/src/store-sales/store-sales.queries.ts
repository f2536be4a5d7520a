import { Injectable } from '@nestjs/common';
import { StoreDayEffect } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

/** `ingest.store_sales_entries`: insert-only sums per store and trading day. */
@Injectable()
export class StoreSalesQueries {
  async addStoreDays(m: EntityManager, days: readonly StoreDayEffect[]): Promise<void> {
    if (days.length === 0) return;
    await m.query(
      `INSERT INTO ingest.store_sales_entries (store_id, business_date, sales, returns, anonymous_sales, sales_cents, returns_cents)
       SELECT * FROM unnest($1::text[], $2::date[], $3::int[], $4::int[], $5::int[], $6::bigint[], $7::bigint[])`,
      [
        days.map((d) => d.storeId),
        days.map((d) => d.businessDate),
        days.map((d) => d.sales),
        days.map((d) => d.returns),
        days.map((d) => d.anonymousSales),
        days.map((d) => d.salesCents),
        days.map((d) => d.returnsCents),
      ],
    );
  }
}
