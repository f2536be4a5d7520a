import { Injectable } from '@nestjs/common';
import { OfferIssuedV2 } from '@loyalty/domain';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { queueOfferMessages } from '../messages/offer-messages';

@Injectable()
export class OfferWalletService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
  ) {}

  /**
   * Puts issued offers into their shoppers' wallets, state `issued`. An offer already there (a
   * redelivered event) is left as it is, whatever its state now: the wallet decides from then on.
   * Each new offer queues its message to the shopper (if they consent) in the same transaction.
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
    }));
    await this.dataSource.transaction(async (manager) => {
      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO loyalty.offers (id, code, shopper_id, rule_id, rule_version, reward, terms,
                                     valid_from, valid_until, issued_at, state)
         SELECT id, code, shopper_id, rule_id, rule_version, reward, terms, valid_from, valid_until,
                issued_at, 'issued'
           FROM json_to_recordset($1::json) AS e(id uuid, code text, shopper_id uuid, rule_id uuid,
                rule_version int, reward jsonb, terms jsonb, valid_from timestamptz,
                valid_until timestamptz, issued_at timestamptz)
         ON CONFLICT DO NOTHING
         RETURNING id`,
        [JSON.stringify(rows)],
      );
      await queueOfferMessages(
        manager,
        inserted.map((o) => o.id),
        this.config.PROGRAMME_TIME_ZONE,
      );
    });
  }
}
