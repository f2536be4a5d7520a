import { IdempotencyKeyReusedError } from '@loyalty/domain';
import { Principal, canonicalJson, claimIdempotencyKey, sha256 } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { HouseholdRecordQuery } from '../shoppers/household-record.query';
import { ContactDto, ContactRequestDto } from './screen-pop.dto';

type ContactRow = {
  id: string;
  household_id: string;
  agent: string;
  channel: string;
  reason: string;
  outcome: string;
  note: string | null;
  contacted_at: Date;
};

const toDto = (row: ContactRow): ContactDto => ({
  contactId: row.id,
  channel: row.channel,
  reason: row.reason,
  outcome: row.outcome,
  note: row.note,
  agent: row.agent,
  contactedAt: row.contacted_at.toISOString(),
});

/** The call centre's log of contacts with a household (`loyalty.support_contacts`). */
@Injectable()
export class ContactsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly records: HouseholdRecordQuery,
  ) {}

  /**
   * Logs a contact, audited. The agent's Idempotency-Key makes it once: the same key and body
   * again get the first answer (also while the first is in flight); another body is 422.
   */
  async log(
    agent: Principal,
    householdId: string,
    dto: ContactRequestDto,
    idempotencyKey: string,
    now: Date,
  ): Promise<ContactDto> {
    const id = householdId.toLowerCase();
    return this.dataSource.transaction(async (m) => {
      const row = {
        id: randomUUID(),
        household_id: id,
        agent: agent.subject,
        idempotency_key: idempotencyKey,
        request_hash: sha256(canonicalJson({ householdId: id, ...dto })),
        channel: dto.channel,
        reason: dto.reason,
        outcome: dto.outcome,
        note: dto.note ?? null,
        contacted_at: now,
      };
      const claim = await claimIdempotencyKey<ContactRow>(
        m,
        'loyalty.support_contacts',
        ['agent', 'idempotency_key'],
        'request_hash',
        row,
      );
      if (claim.kind === 'retry') return toDto(claim.earlier);
      if (claim.kind !== 'first')
        throw new IdempotencyKeyReusedError(
          'You used this Idempotency-Key for another contact',
          'idempotency-key',
        );
      await this.records.requireOpenHousehold(m, id);
      await m.insert(AuditEntry, {
        actor: agent.subject,
        action: 'support.contact-logged',
        entity: 'household',
        entityId: id,
        details: {
          contactId: row.id,
          reason: dto.reason,
          outcome: dto.outcome,
          roles: agent.roles,
        },
      });
      return toDto(row);
    });
  }
}
