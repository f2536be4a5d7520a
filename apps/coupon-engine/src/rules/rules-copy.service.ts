import { Injectable } from '@nestjs/common';
import { RuleChangedV2, RuleStatusV2, statusRevokesOffers } from '@loyalty/domain';
import { OutboxRelay } from '@loyalty/kafka';
import { DataSource } from 'typeorm';
import { OfferWithdrawalQueries } from '../withdrawals/offer-withdrawals.queries';

@Injectable()
export class RulesCopyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly withdrawals: OfferWithdrawalQueries,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * Applies rule changes to the engine's copy: every version is kept (offers name the version they
   * came from); a rule's state moves only to a higher revision, so redelivery and replays never
   * bring back an older status or version. A rule whose state moves to ended revokes its offers
   * still valid at `now`, with their events, in the same transaction; a paused rule keeps them.
   */
  async apply(events: readonly RuleChangedV2[], now: Date): Promise<void> {
    if (events.length === 0) return;
    const revoked = await this.dataSource.transaction(async (m) => {
      const changed: { rule_id: string; status: RuleStatusV2 }[] = await m.query(
        `WITH changes AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb)
             AS e("ruleId" uuid, version int, revision int, status text, rule jsonb, "changedAt" timestamptz)
         ), versions AS (
           INSERT INTO coupons.rule_versions (rule_id, version, definition)
           SELECT DISTINCT ON ("ruleId", version) "ruleId", version, rule FROM changes
           ON CONFLICT (rule_id, version) DO NOTHING
         )
         INSERT INTO coupons.rule_states AS s (rule_id, revision, status, version, changed_at)
         SELECT DISTINCT ON ("ruleId") "ruleId", revision, status, version, "changedAt"
           FROM changes ORDER BY "ruleId", revision DESC
         ON CONFLICT (rule_id) DO UPDATE
           SET revision = EXCLUDED.revision, status = EXCLUDED.status, version = EXCLUDED.version,
               changed_at = EXCLUDED.changed_at
         WHERE s.revision < EXCLUDED.revision
         RETURNING rule_id, status`,
        [JSON.stringify(events)],
      );
      const ended = changed.filter((c) => statusRevokesOffers(c.status)).map((c) => c.rule_id);
      return this.withdrawals.revokeOfRules(m, ended, now);
    });
    if (revoked > 0) this.relay.wake();
  }
}
