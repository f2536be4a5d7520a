import { StoreChangedV1, TOPICS } from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { Principal } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { StoreDetailsDto, StoreDto } from './store.dto';

interface StoreRow {
  id: string;
  name: string;
  region: string;
  version: number;
  updated_at: Date;
}

const toDto = (row: StoreRow): StoreDto => ({
  storeId: row.id,
  name: row.name,
  region: row.region,
  updatedAt: row.updated_at.toISOString(),
});

/**
 * The store register (`loyalty.stores`): each store's name and region, kept by admins. Stores
 * need not be registered to sell (a lane's store id is enough); the reports group the sales of
 * a store not registered under the region 'unknown'. Every change goes out as `store-changed`
 * in its transaction, for the coupon engine's `region` fact.
 */
@Injectable()
export class StoresService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** Registers the store or changes it (audited); the same details again change nothing. */
  async put(admin: Principal, storeId: string, details: StoreDetailsDto): Promise<StoreDto> {
    return this.dataSource.transaction(async (m) => {
      const [row]: StoreRow[] = await m.query(
        `INSERT INTO loyalty.stores AS s (id, name, region) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE
           SET name = $2, region = $3, version = s.version + 1, updated_at = now()
          WHERE (s.name, s.region) IS DISTINCT FROM ($2, $3)
         RETURNING id, name, region, version, updated_at`,
        [storeId, details.name, details.region],
      );
      if (!row) {
        const [same]: StoreRow[] = await m.query(
          `SELECT id, name, region, version, updated_at FROM loyalty.stores WHERE id = $1`,
          [storeId],
        );
        return toDto(same);
      }
      await m.insert(AuditEntry, {
        actor: admin.subject,
        action: 'store.changed',
        entity: 'store',
        entityId: storeId,
        details: { name: details.name, region: details.region },
      });
      await this.outbox.append(m, [
        {
          topic: TOPICS.storeChanged,
          key: storeId,
          value: {
            storeId,
            version: row.version,
            region: row.region,
            changedAt: row.updated_at.toISOString(),
          } satisfies StoreChangedV1,
        },
      ]);
      return toDto(row);
    });
  }

  async list(): Promise<StoreDto[]> {
    const rows: StoreRow[] = await this.dataSource.query(
      `SELECT id, name, region, version, updated_at FROM loyalty.stores ORDER BY id`,
    );
    return rows.map(toDto);
  }
}
