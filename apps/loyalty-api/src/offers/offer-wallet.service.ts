import { Injectable } from '@nestjs/common';
import { OfferIssuedV2, OfferWithdrawnV1, WITHDRAWABLE_OFFER_STATES } from '@loyalty/domain';
import { DataSource, EntityManager } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { queueOfferMessages } from '../messages/offer-messages';

@Injectable()
export class OfferWalletService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
  ) {}

  /**
   * Puts issued offers into their shoppers' wallets, state `issued`, or already `expired` or
   * `revoked` when their withdrawal arrived first. An offer already there (a redelivered event)
   * is left as it is, whatever its state now: the wallet decides from then on. Each new offer
   * still issued queues its message to the shopper (if they consent) in the same transaction.
   */
  async receiveIssued(events: readonly OfferIssuedV2[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({
      id: e.offerId,
      code: e.code,
      shopper_id: e.householdId,
      rule_id: e.ruleId,
      rule_version: e.ruleVersion,
      reward: e.reward,
      terms: e.terms,
      valid_from: e.validFrom,
      valid_until: e.validUntil,
      issued_at: e.issuedAt,
      reason: e.reason,
    }));
    await this.dataSource.transaction(async (manager) => {
      await lockWallet(manager, 'shared');
      const inserted: { id: string; state: string }[] = await manager.query(
        `INSERT INTO loyalty.offers (id, code, shopper_id, rule_id, rule_version, reward, terms,
                                     valid_from, valid_until, issued_at, reason, state,
                                     state_changed_at)
         SELECT e.id, code, shopper_id, rule_id, rule_version, reward, terms, valid_from,
                valid_until, issued_at, reason, coalesce(w.kind, 'issued'), w.withdrawn_at
           FROM json_to_recordset($1::json) AS e(id uuid, code text, shopper_id uuid, rule_id uuid,
                rule_version int, reward jsonb, terms jsonb, valid_from timestamptz,
                valid_until timestamptz, issued_at timestamptz, reason jsonb)
           LEFT JOIN loyalty.offer_withdrawals w ON w.offer_id = e.id
         ON CONFLICT DO NOTHING
         RETURNING id, state`,
        [JSON.stringify(rows)],
      );
      await queueOfferMessages(
        manager,
        inserted.filter((o) => o.state === 'issued').map((o) => o.id),
        this.config.PROGRAMME_TIME_ZONE,
      );
    });
  }

  /**
   * Records each withdrawal once (the first one recorded for an offer stands) and moves the
   * offers it names that are issued or clipped to `expired` or `revoked`, as of the withdrawal.
   * A reserved or redeemed offer stays as it is: a lane holds or used it, and its checkout
   * decides. An offer not in the wallet yet takes the withdrawal when it arrives. An expiry
   * never takes back an offer support reissued.
   */
  async receiveWithdrawn(events: readonly OfferWithdrawnV1[]): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      await lockWallet(manager, 'exclusive');
      await manager.query(
        `INSERT INTO loyalty.offer_withdrawals (offer_id, kind, cause, withdrawn_at)
         SELECT "offerId", kind, cause, "withdrawnAt"
           FROM json_to_recordset($1::json)
             AS e("offerId" uuid, kind text, cause text, "withdrawnAt" timestamptz)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(events)],
      );
      await manager.query(
        `UPDATE loyalty.offers o SET state = w.kind, state_changed_at = w.withdrawn_at
           FROM loyalty.offer_withdrawals w
          WHERE w.offer_id = o.id AND o.id = ANY($1::uuid[]) AND o.state = ANY($2::text[])
            -- An offer support gave back is valid past the expiry the engine saw.
            AND NOT (w.kind = 'expired'
                     AND EXISTS (SELECT 1 FROM loyalty.offer_reissues r WHERE r.offer_id = o.id))`,
        [events.map((e) => e.offerId), WITHDRAWABLE_OFFER_STATES],
      );
    });
  }
}

/**
 * Keeps the wallet's two consumers apart: an offer's issued and withdrawn events, handled at once,
 * would each miss the other's uncommitted row. Issued batches share the lock (they run side by
 * side, one per partition); a withdrawal batch, rare, takes it alone. One lock per transaction,
 * whatever the batch's size (a lock per offer would fill the server's lock table on a campaign).
 */
async function lockWallet(manager: EntityManager, mode: 'shared' | 'exclusive'): Promise<void> {
  await manager.query(
    mode === 'shared'
      ? `SELECT pg_advisory_xact_lock_shared(hashtextextended('loyalty.offer-wallet', 0))`
      : `SELECT pg_advisory_xact_lock(hashtextextended('loyalty.offer-wallet', 0))`,
  );
}
