import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  IdempotencyKeyReusedError,
  Rule as RuleDefinition,
  RuleChangedV2,
  RuleStatusV2,
  TOPICS,
} from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { Principal, canonicalJson, claimIdempotencyKey, sha256 } from '@loyalty/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { LoyaltyApiConfig } from '../config';
import { judgeRuleBody } from './rule-body';
import {
  BudgetNeedsAdminError,
  RuleEndedError,
  RuleNotFoundError,
  RuleVersionNotFoundError,
} from './rule-errors';
import { decideStatusChange } from './rule-lifecycle';
import { Rule } from './rule.entity';
import { RuleVersion } from './rule-version.entity';
import {
  RuleDto,
  RuleListDto,
  RuleListQueryDto,
  RuleVersionDto,
  RuleVersionListDto,
  RuleVersionListQueryDto,
} from './rules.dto';
import { RulesPageQuery } from './rules-page.query';

function toDto(rule: Rule, definition: RuleDefinition): RuleDto {
  return {
    id: rule.id,
    status: rule.status,
    version: rule.version,
    revision: rule.revision,
    rule: definition,
    createdBy: rule.createdBy,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}

function toVersionDto(version: RuleVersion): RuleVersionDto {
  return {
    ruleId: version.ruleId,
    version: version.version,
    rule: version.definition,
    createdBy: version.createdBy,
    createdAt: version.createdAt.toISOString(),
  };
}

type Change = 'rule.created' | 'rule.edited' | 'rule.status-changed';

/**
 * Marketing's coupon rules: each definition an immutable version, each change a new revision,
 * audited and published as `loyalty-api.rule-changed.v2` through the outbox in its transaction.
 */
@Injectable()
export class RulesService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Rule) private readonly rules: Repository<Rule>,
    @InjectRepository(RuleVersion) private readonly versions: Repository<RuleVersion>,
    private readonly page: RulesPageQuery,
    private readonly outbox: Outbox,
    private readonly config: LoyaltyApiConfig,
  ) {}

  async create(
    actor: Principal,
    body: Record<string, unknown>,
    idempotencyKey: string | undefined,
    now: Date,
  ): Promise<RuleDto> {
    const id = randomUUID();
    const definition = this.judge(actor, body, id);
    return this.dataSource.transaction(async (manager) => {
      if (idempotencyKey !== undefined) {
        const first = await this.claimKey(
          manager,
          actor,
          idempotencyKey,
          sha256(canonicalJson(body)),
          id,
        );
        if (first) return first;
      }
      const rule: Rule = {
        id,
        status: 'draft',
        version: 1,
        revision: 1,
        name: definition.name,
        createdBy: actor.subject,
        createdAt: now,
        updatedAt: now,
      };
      await manager.insert(Rule, rule);
      await this.insertVersion(manager, rule, definition, actor, now);
      return this.recordChange(manager, actor, 'rule.created', rule, definition);
    });
  }

  /** A new definition becomes the next version; the same definition again changes nothing. */
  async edit(
    actor: Principal,
    id: string,
    body: Record<string, unknown>,
    now: Date,
  ): Promise<RuleDto> {
    const definition = this.judge(actor, body, id, id);
    return this.dataSource.transaction(async (manager) => {
      const rule = await this.lockRule(manager, id);
      if (rule.status === 'ended')
        throw new RuleEndedError(`Rule ${id} has ended: it takes no new definition`);
      const current = await this.currentDefinition(manager, rule);
      if (canonicalJson(current) === canonicalJson(definition)) return toDto(rule, current);
      rule.version += 1;
      rule.revision += 1;
      rule.name = definition.name;
      rule.updatedAt = now;
      await manager.update(
        Rule,
        { id },
        { version: rule.version, revision: rule.revision, name: rule.name, updatedAt: now },
      );
      await this.insertVersion(manager, rule, definition, actor, now);
      return this.recordChange(manager, actor, 'rule.edited', rule, definition);
    });
  }

  async setStatus(actor: Principal, id: string, status: RuleStatusV2, now: Date): Promise<RuleDto> {
    return this.dataSource.transaction(async (manager) => {
      const rule = await this.lockRule(manager, id);
      const definition = await this.currentDefinition(manager, rule);
      const from = rule.status;
      if (!decideStatusChange(from, status, definition, now)) return toDto(rule, definition);
      rule.status = status;
      rule.revision += 1;
      rule.updatedAt = now;
      await manager.update(Rule, { id }, { status, revision: rule.revision, updatedAt: now });
      return this.recordChange(manager, actor, 'rule.status-changed', rule, definition, { from });
    });
  }

  list(query: RuleListQueryDto): Promise<RuleListDto> {
    return this.page.read(query);
  }

  async get(id: string): Promise<RuleDto> {
    const rule = await this.rules.findOneBy({ id });
    if (!rule) throw new RuleNotFoundError(`No rule ${id}`);
    const current = await this.versions.findOneByOrFail({ ruleId: id, version: rule.version });
    return toDto(rule, current.definition);
  }

  async listVersions(id: string, query: RuleVersionListQueryDto): Promise<RuleVersionListDto> {
    if (!(await this.rules.existsBy({ id }))) throw new RuleNotFoundError(`No rule ${id}`);
    const rows: { version: number; name: string; created_by: string; created_at: Date }[] =
      await this.dataSource.query(
        `SELECT version, definition->>'name' AS name, created_by, created_at
           FROM loyalty.rule_versions
          WHERE rule_id = $1 AND version > $2
          ORDER BY version
          LIMIT $3`,
        [id, query.after ?? 0, query.limit + 1],
      );
    const page = rows.slice(0, query.limit);
    return {
      versions: page.map((row) => ({
        version: row.version,
        name: row.name,
        createdBy: row.created_by,
        createdAt: row.created_at.toISOString(),
      })),
      nextCursor: rows.length > query.limit ? page[page.length - 1].version : null,
    };
  }

  async getVersion(id: string, version: number): Promise<RuleVersionDto> {
    const found = await this.versions.findOneBy({ ruleId: id, version });
    if (found) return toVersionDto(found);
    if (!(await this.rules.existsBy({ id }))) throw new RuleNotFoundError(`No rule ${id}`);
    throw new RuleVersionNotFoundError(`Rule ${id} has no version ${version}`);
  }

  /** The rule the body states, if the caller may author it: a marketer only within budget. */
  private judge(
    actor: Principal,
    body: Record<string, unknown>,
    id: string,
    existingId?: string,
  ): RuleDefinition {
    const definition = judgeRuleBody(
      body,
      id,
      { loyaltyCardPrefix: this.config.LOYALTY_CARD_PREFIX },
      existingId,
    );
    const limit = this.config.RULE_BUDGET_ADMIN_ABOVE_CENTS;
    if (
      !actor.roles.includes('admin') &&
      (definition.budgetCents === undefined || definition.budgetCents > limit)
    )
      throw new BudgetNeedsAdminError(
        `A marketer's rule needs a budgetCents of at most ${limit}; a rule without one or above it needs an admin`,
        'budgetCents',
      );
    return definition;
  }

  /**
   * Claims the key for this creation, or answers what its first use answered. The primary key
   * decides between twins arriving at once: the second insert waits for the first transaction
   * and, once it commits, finds the key taken (or takes it if the first rolled back).
   */
  private async claimKey(
    manager: EntityManager,
    actor: Principal,
    key: string,
    bodySha256: string,
    id: string,
  ): Promise<RuleDto | undefined> {
    const claim = await claimIdempotencyKey<{ rule_id: string }>(
      manager,
      'loyalty.rule_create_requests',
      ['subject', 'idempotency_key'],
      'body_sha256',
      { subject: actor.subject, idempotency_key: key, body_sha256: bodySha256, rule_id: id },
    );
    if (claim.kind === 'first' || claim.kind === 'taken-otherwise') return undefined;
    if (claim.kind === 'reused')
      throw new IdempotencyKeyReusedError(
        'This Idempotency-Key was used for another rule; use a new key for a new rule',
        'idempotency-key',
      );
    const first = claim.earlier;
    // The first answer: the rule as it was created, whatever happened to it since.
    const created = await manager.findOneByOrFail(RuleVersion, {
      ruleId: first.rule_id,
      version: 1,
    });
    return {
      id: created.ruleId,
      status: 'draft',
      version: 1,
      revision: 1,
      rule: created.definition,
      createdBy: created.createdBy,
      createdAt: created.createdAt.toISOString(),
      updatedAt: created.createdAt.toISOString(),
    };
  }

  // The row lock serialises a rule's changes: revisions strictly increase, in outbox order.
  private async lockRule(manager: EntityManager, id: string): Promise<Rule> {
    const rule = await manager.findOne(Rule, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!rule) throw new RuleNotFoundError(`No rule ${id}`);
    return rule;
  }

  private async currentDefinition(manager: EntityManager, rule: Rule): Promise<RuleDefinition> {
    const current = await manager.findOneByOrFail(RuleVersion, {
      ruleId: rule.id,
      version: rule.version,
    });
    return current.definition;
  }

  private insertVersion(
    manager: EntityManager,
    rule: Rule,
    definition: RuleDefinition,
    actor: Principal,
    now: Date,
  ): Promise<unknown> {
    return manager.insert(RuleVersion, {
      ruleId: rule.id,
      version: rule.version,
      definition,
      createdBy: actor.subject,
      createdAt: now,
    });
  }

  /** Audits who changed what (not the definition: its version keeps it) and queues the event. */
  private async recordChange(
    manager: EntityManager,
    actor: Principal,
    action: Change,
    rule: Rule,
    definition: RuleDefinition,
    details: object = {},
  ): Promise<RuleDto> {
    await manager.insert(AuditEntry, {
      actor: actor.subject,
      action,
      entity: 'rule',
      entityId: rule.id,
      details: {
        roles: actor.roles,
        version: rule.version,
        revision: rule.revision,
        status: rule.status,
        ...details,
      },
    });
    await this.outbox.append(manager, [
      {
        topic: TOPICS.ruleChangedV2,
        key: rule.id,
        value: {
          ruleId: rule.id,
          version: rule.version,
          revision: rule.revision,
          status: rule.status,
          rule: definition,
          changedAt: rule.updatedAt.toISOString(),
        } satisfies RuleChangedV2,
      },
    ]);
    return toDto(rule, definition);
  }
}
