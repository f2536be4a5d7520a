import { IdempotencyKeyReusedError, OfferNotFoundError, reissueOffer } from '@loyalty/domain';
import { Principal, canonicalJson, claimIdempotencyKey, sha256 } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { CheckoutOffersQuery } from '../checkout/checkout-offers.query';
import { LoyaltyApiConfig } from '../config';
import { HouseholdReadsService } from '../shoppers/household-reads.service';
import { HouseholdRecordQuery } from '../shoppers/household-record.query';
import { ReissueRequestDto, ReissuedOfferDto } from './screen-pop.dto';

type ReissueRow = {
  agent: string;
  state: string;
  valid_until: Date;
  reissued_at: Date;
};

/**
 * Support gives an expired offer back to its household (`reissueOffer`: once per offer, within
 * `SUPPORT_REISSUE_WITHIN_DAYS` of its expiry, valid `SUPPORT_REISSUE_VALID_DAYS` more), audited.
 * The offer keeps its code, rule and limits: it counts against its rule's budget and caps when
 * it is redeemed, as any other.
 */
@Injectable()
export class OfferReissuesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
    private readonly offers: CheckoutOffersQuery,
    private readonly reads: HouseholdReadsService,
    private readonly records: HouseholdRecordQuery,
  ) {}

  async reissue(
    agent: Principal,
    householdId: string,
    code: string,
    dto: ReissueRequestDto,
    idempotencyKey: string,
    now: Date,
  ): Promise<ReissuedOfferDto> {
    const id = householdId.toLowerCase();
    return this.dataSource.transaction(async (m) => {
      const [locked]: { id: string; shopper_id: string }[] = await m.query(
        `SELECT id, shopper_id FROM loyalty.offers WHERE code = $1 FOR UPDATE`,
        [code],
      );
      const owners = locked ? await this.reads.historyIds(m, id) : [];
      if (!locked || !owners.includes(locked.shopper_id))
        throw new OfferNotFoundError(`The household has no offer ${code}`, 'code');
      await this.records.requireOpenHousehold(m, id);
      const offer = (await this.offers.offersByCode(m, [code])).get(code);
      if (!offer) throw new OfferNotFoundError(`The household has no offer ${code}`, 'code');
      const policy = {
        expiredWithinDays: this.config.SUPPORT_REISSUE_WITHIN_DAYS,
        validForDays: this.config.SUPPORT_REISSUE_VALID_DAYS,
      };
      const hash = sha256(canonicalJson({ householdId: id, code, ...dto }));
      // The offer's lock orders twins of one request: the second finds the first's row here.
      const [prior]: (ReissueRow & { request_hash: string })[] = await m.query(
        `SELECT agent, state, valid_until, reissued_at, request_hash FROM loyalty.offer_reissues
          WHERE agent = $1 AND idempotency_key = $2`,
        [agent.subject, idempotencyKey],
      );
      if (prior && prior.request_hash === hash) return toDto(code, prior);
      const reused = () =>
        new IdempotencyKeyReusedError(
          'You used this Idempotency-Key for another reissue',
          'idempotency-key',
        );
      if (prior) throw reused();
      const [before]: unknown[] = await m.query(
        `SELECT 1 FROM loyalty.offer_reissues WHERE offer_id = $1`,
        [offer.id],
      );
      const reissued = reissueOffer(offer, now, policy, before !== undefined);
      // A twin with the same key for another offer holds no lock of this one: the key decides.
      const claim = await claimIdempotencyKey<ReissueRow>(
        m,
        'loyalty.offer_reissues',
        ['agent', 'idempotency_key'],
        'request_hash',
        {
          offer_id: offer.id,
          household_id: id,
          agent: agent.subject,
          idempotency_key: idempotencyKey,
          request_hash: hash,
          reason: dto.reason,
          state: reissued.state,
          valid_until: reissued.validUntil,
          reissued_at: now,
        },
      );
      if (claim.kind !== 'first') throw reused();
      await m.query(
        `UPDATE loyalty.offers
            SET state = $2, valid_until = $3, clipped_at = $4, state_changed_at = NULL,
                store_id = NULL, pos_transaction_id = NULL
          WHERE id = $1`,
        [
          offer.id,
          reissued.state,
          reissued.validUntil,
          reissued.state === 'clipped' ? reissued.clippedAt : null,
        ],
      );
      await m.insert(AuditEntry, {
        actor: agent.subject,
        action: 'offer.reissued',
        entity: 'household',
        entityId: id,
        details: { code, reason: dto.reason, validUntil: reissued.validUntil, roles: agent.roles },
      });
      return {
        code,
        state: reissued.state,
        validUntil: reissued.validUntil,
        reissuedAt: now.toISOString(),
        agent: agent.subject,
      };
    });
  }
}

const toDto = (code: string, row: ReissueRow): ReissuedOfferDto => ({
  code,
  state: row.state,
  validUntil: row.valid_until.toISOString(),
  reissuedAt: row.reissued_at.toISOString(),
  agent: row.agent,
});
