import { TOPICS, householdChangedEvent } from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { HouseholdRecord, HouseholdRecordQuery, snapshotOf } from './household-record.query';

/**
 * Every change of a household ends here, in the changing transaction: the version goes up by one
 * and the whole household, at that version, goes to the outbox (`household-changed`, keyed by
 * household id). The caller holds the household's row lock, so versions and events keep order.
 */
@Injectable()
export class HouseholdChanges {
  constructor(
    private readonly records: HouseholdRecordQuery,
    private readonly outbox: Outbox,
  ) {}

  async record(manager: EntityManager, householdId: string, now: Date): Promise<HouseholdRecord> {
    await manager.query(
      `UPDATE loyalty.households SET version = version + 1, updated_at = $2 WHERE id = $1`,
      [householdId, now],
    );
    const record = (await this.records.load(manager, householdId)) as HouseholdRecord;
    await this.outbox.append(manager, [
      {
        topic: TOPICS.householdChanged,
        key: householdId,
        value: householdChangedEvent(snapshotOf(record), record.household.version, now),
      },
    ]);
    return record;
  }
}
