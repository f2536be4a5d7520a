import { BadRequestException, Injectable, PayloadTooLargeException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Principal } from '@loyalty/platform';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { LoyaltyApiConfig } from '../config';
import { AudienceList } from './audience-list.entity';
import { AudienceListDto, CreateAudienceListDto, MembersReplacedDto } from './audience-list.dto';
import { AudienceListDeletedError, AudienceListNotFoundError } from './audience-list-errors';
import { MAX_MEMBER_LINES, MemberViolation, readMemberCsv } from './member-csv';
import { MemberLookupQuery, arrayLiteral } from './member-lookup.query';

/** Violations a 400 names; the rest are counted. */
const MAX_NAMED_VIOLATIONS = 50;

/** SQL: the SHA-256 of a set of household ids, sorted and one a line (PostgreSQL sorts, in C). */
const membersHash = (column: string) =>
  `sha256(convert_to(coalesce(string_agg(${column}::text, E'\\n' ORDER BY ${column}), ''), 'UTF8'))`;

// The hash of a list without members: what PostgreSQL's hash of an empty set is below.
const EMPTY_MEMBERS_HASH = createHash('sha256').update('').digest();

function toDto(list: AudienceList): AudienceListDto {
  return {
    id: list.id,
    name: list.name,
    description: list.description,
    status: list.status,
    memberCount: list.memberCount,
    version: list.version,
    createdBy: list.createdBy,
    createdAt: list.createdAt.toISOString(),
    updatedAt: list.updatedAt.toISOString(),
  };
}

function refuse(violations: MemberViolation[]): BadRequestException {
  violations.sort((a, b) => a.line - b.line);
  return new BadRequestException({
    code: 'INVALID_MEMBERS',
    message: `${violations.length} ${violations.length === 1 ? 'line breaks its rule' : 'lines break their rules'}; nothing was stored`,
    field: 'body',
    violations: violations.slice(0, MAX_NAMED_VIOLATIONS),
    violationCount: violations.length,
  });
}

@Injectable()
export class AudienceListsService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(AudienceList) private readonly lists: Repository<AudienceList>,
    private readonly lookup: MemberLookupQuery,
    private readonly config: LoyaltyApiConfig,
  ) {}

  async create(actor: Principal, dto: CreateAudienceListDto, now: Date): Promise<AudienceListDto> {
    const id = randomUUID();
    return this.dataSource.transaction(async (manager) => {
      await manager.insert(AudienceList, {
        id,
        name: dto.name,
        description: dto.description ?? null,
        status: 'active',
        version: 0,
        memberCount: 0,
        membersHash: EMPTY_MEMBERS_HASH,
        createdBy: actor.subject,
        updatedAt: now,
      });
      await this.audit(manager, actor, 'audience-list.created', id, {});
      return toDto(await manager.findOneByOrFail(AudienceList, { id }));
    });
  }

  async list(): Promise<AudienceListDto[]> {
    const lists = await this.lists.find({ order: { createdAt: 'DESC', id: 'ASC' } });
    return lists.map(toDto);
  }

  async get(id: string): Promise<AudienceListDto> {
    const list = await this.lists.findOneBy({ id });
    if (!list) throw new AudienceListNotFoundError('No such audience list', 'id');
    return toDto(list);
  }

  /**
   * Replaces the list's members with the upload's households, all or nothing. An upload of the
   * households the list holds changes nothing and answers the version it has.
   */
  async replaceMembers(
    actor: Principal,
    id: string,
    text: string,
    now: Date,
  ): Promise<MembersReplacedDto> {
    // Judged before the transaction: half a million lines take a while, in turns.
    const csv = await readMemberCsv(text, this.config.LOYALTY_CARD_PREFIX);
    if (csv.tooManyLines)
      throw new PayloadTooLargeException({
        code: 'TOO_MANY_LINES',
        message: `An upload holds at most ${MAX_MEMBER_LINES} lines of members`,
        field: 'body',
      });
    return this.dataSource.transaction(async (manager) => {
      const list = await this.lockActiveList(manager, id);
      const resolved = await this.lookup.resolve(manager, csv.members);
      const violations = [...csv.violations, ...resolved.violations];
      if (violations.length > 0) throw refuse(violations);

      const householdIds = arrayLiteral(resolved.householdIds);
      const [incoming] = await manager.query(
        `SELECT count(*)::int AS member_count,
                ${membersHash('household_id')} AS members_hash
           FROM (SELECT DISTINCT unnest($1::uuid[]) AS household_id) s`,
        [householdIds],
      );
      const memberCount = incoming.member_count as number;
      const duplicates = resolved.householdIds.length - memberCount;
      if (list.membersHash.equals(incoming.members_hash as Buffer))
        return { version: list.version, memberCount: list.memberCount, duplicates };

      await manager.query(`DELETE FROM loyalty.audience_list_members WHERE list_id = $1`, [id]);
      // In key order: the primary key's index grows at its end.
      await manager.query(
        `INSERT INTO loyalty.audience_list_members (list_id, household_id)
         SELECT DISTINCT $1::uuid, household_id FROM unnest($2::uuid[]) AS household_id
          ORDER BY household_id`,
        [id, householdIds],
      );
      const version = list.version + 1;
      await manager.update(
        AudienceList,
        { id },
        { version, memberCount, membersHash: incoming.members_hash, updatedAt: now },
      );
      const lines = csv.members.length;
      await this.audit(manager, actor, 'audience-list.members-replaced', id, {
        version,
        memberCount,
        previousMemberCount: list.memberCount,
        lines,
        cardLines: csv.members.filter((m) => m.kind === 'card').length,
        duplicates,
      });
      return { version, memberCount, duplicates };
    });
  }

  /** Deletes the list: its members go, its row stays readable. Deleting it again changes nothing. */
  async delete(actor: Principal, id: string, now: Date): Promise<AudienceListDto> {
    return this.dataSource.transaction(async (manager) => {
      const list = await this.lockList(manager, id);
      if (list.status === 'deleted') return toDto(list);
      await manager.query(`DELETE FROM loyalty.audience_list_members WHERE list_id = $1`, [id]);
      await manager.update(
        AudienceList,
        { id },
        {
          status: 'deleted',
          version: list.version + 1,
          memberCount: 0,
          membersHash: EMPTY_MEMBERS_HASH,
          updatedAt: now,
        },
      );
      await this.audit(manager, actor, 'audience-list.deleted', id, {
        version: list.version + 1,
        previousMemberCount: list.memberCount,
      });
      return toDto(await manager.findOneByOrFail(AudienceList, { id }));
    });
  }

  /**
   * Takes an erased household off every list it is on, in the erasure's transaction: each such
   * list gets a new version, count and hash, as an upload without the household would give it.
   * The lists are locked in id order, as one upload locks its one list, so two erasures and an
   * upload never wait on each other in a circle.
   */
  async removeErasedHousehold(manager: EntityManager, householdId: string, now: Date) {
    const lists: { id: string }[] = await manager.query(
      `SELECT id FROM loyalty.audience_lists
        WHERE id IN (SELECT list_id FROM loyalty.audience_list_members WHERE household_id = $1)
        ORDER BY id FOR UPDATE`,
      [householdId],
    );
    if (lists.length === 0) return;
    const ids = lists.map((l) => l.id);
    await manager.query(
      `DELETE FROM loyalty.audience_list_members WHERE household_id = $1 AND list_id = ANY($2::uuid[])`,
      [householdId, ids],
    );
    await manager.query(
      `UPDATE loyalty.audience_lists l
          SET version = l.version + 1, member_count = m.member_count, members_hash = m.members_hash,
              updated_at = $2
         FROM (SELECT l2.id, count(m.household_id)::int AS member_count,
                      ${membersHash('m.household_id')} AS members_hash
                 FROM loyalty.audience_lists l2
                 LEFT JOIN loyalty.audience_list_members m ON m.list_id = l2.id
                WHERE l2.id = ANY($1::uuid[])
                GROUP BY l2.id) m
        WHERE l.id = m.id`,
      [ids, now],
    );
    // The audit names the list, never the erased household.
    for (const id of ids) {
      await manager.insert(AuditEntry, {
        actor: 'erasure',
        action: 'audience-list.member-erased',
        entity: 'audience_list',
        entityId: id,
        details: {},
      });
    }
  }

  // The row lock serializes a list's changes: two uploads at once end as one of them, whole.
  private async lockList(manager: EntityManager, id: string): Promise<AudienceList> {
    const list = await manager.findOne(AudienceList, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!list) throw new AudienceListNotFoundError('No such audience list', 'id');
    return list;
  }

  private async lockActiveList(manager: EntityManager, id: string): Promise<AudienceList> {
    const list = await this.lockList(manager, id);
    if (list.status === 'deleted')
      throw new AudienceListDeletedError('The list was deleted: it takes no members', 'id');
    return list;
  }

  /** Who changed which list, with counts: never a card number or a household id of the upload. */
  private async audit(
    manager: EntityManager,
    actor: Principal,
    action: string,
    id: string,
    details: object,
  ): Promise<void> {
    await manager.insert(AuditEntry, {
      actor: actor.subject,
      action,
      entity: 'audience_list',
      entityId: id,
      details,
    });
  }
}
