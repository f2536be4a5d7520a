import { Injectable } from '@nestjs/common';
import { Rule, TriggerKind } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

/** A rule as the engine issues from it: its current version's definition. */
export interface LiveRule {
  version: number;
  rule: Rule;
}

/**
 * The rules issuing at `now` from the engine's copy: active, within their validity, with a
 * trigger of one of `triggers`, in a stable order (priority, then id).
 */
@Injectable()
export class LiveRulesQuery {
  async find(
    manager: EntityManager,
    now: Date,
    triggers: readonly TriggerKind[],
  ): Promise<LiveRule[]> {
    const rows: { version: number; definition: Rule }[] = await manager.query(
      `SELECT s.version, v.definition
         FROM coupons.rule_states s
         JOIN coupons.rule_versions v USING (rule_id, version)
        WHERE s.status = 'active'
          AND v.definition #>> '{trigger,kind}' = ANY($1::text[])
          AND (v.definition #>> '{validity,from}')::timestamptz <= $2
          AND (v.definition #>> '{validity,until}')::timestamptz > $2
        ORDER BY (v.definition ->> 'priority')::int DESC, s.rule_id`,
      [triggers, now],
    );
    return rows.map((row) => ({ version: row.version, rule: row.definition }));
  }
}
