import { Injectable } from '@nestjs/common';
import { OfferIssuedV1 } from '@loyalty/domain';
import { DataSource } from 'typeorm';

@Injectable()
export class OfferWalletService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Puts issued offers into their shoppers' wallets, state `issued`. An offer already there (a
   * redelivered event) is left as it is, whatever its state now: the wallet decides from then on.
   */
  async receiveIssued(events: readonly OfferIssuedV1[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({
      id: e.offerId,
      code: e.code,
      shopper_id: e.shopperId,
      rule_id: e.ruleId,
      reward: e.reward,
      valid_from: e.validFrom,
      valid_until: e.validUntil,
      issued_at: e.issuedAt ?? e.validFrom,
    }));
    await this.dataSource.transaction((manager) =>
      manager.query(
        `INSERT INTO loyalty.offers (id, code, shopper_id, rule_id, reward, valid_from, valid_until, issued_at, state)
         SELECT id, code, shopper_id, rule_id, reward, valid_from, valid_until, issued_at, 'issued'
           FROM json_to_recordset($1::json) AS e(id uuid, code text, shopper_id uuid, rule_id uuid,
                reward jsonb, valid_from timestamptz, valid_until timestamptz, issued_at timestamptz)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(rows)],
      ),
    );
  }
}
