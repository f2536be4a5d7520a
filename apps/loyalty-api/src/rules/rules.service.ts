import { Injectable, NotFoundException } from '@nestjs/common';
import {
  AudienceCondition,
  CouponRule,
  Reward,
  RewardTarget,
  RuleChangedV1,
  RuleStatus,
  TOPICS,
} from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { Principal } from '@loyalty/platform';
import { randomUUID } from 'node:crypto';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditEntry } from '../audit/audit-entry.entity';
import { AudienceConditionDto, CreateRuleDto, RewardDto, RuleDto } from './rule.dto';
import { Rule } from './rule.entity';

function toCondition(dto: AudienceConditionDto): AudienceCondition {
  return dto.fact === 'departmentSpendCents'
    ? { fact: dto.fact, department: dto.department as string, atLeast: dto.atLeast }
    : { fact: dto.fact, atLeast: dto.atLeast };
}

function toReward(dto: RewardDto): Reward {
  const target: RewardTarget =
    dto.target.scope === 'department'
      ? { scope: 'department', department: dto.target.department as string }
      : { scope: 'basket' };
  return dto.kind === 'percentOff'
    ? { kind: 'percentOff', percent: dto.percent as number, target }
    : { kind: 'amountOff', amountCents: dto.amountCents as number, target };
}

/** The rule's definition as the body states it (what create and update write). */
function definition(dto: CreateRuleDto) {
  return {
    name: dto.name,
    status: dto.status,
    audience: dto.audience.map(toCondition),
    reward: toReward(dto.reward),
    validFrom: new Date(dto.validFrom),
    validUntil: new Date(dto.validUntil),
    offerValidDays: dto.offerValidDays,
    perShopperLimit: dto.perShopperLimit,
  };
}

function toCouponRule(rule: Rule): CouponRule {
  return {
    id: rule.id,
    name: rule.name,
    status: rule.status,
    audience: rule.audience,
    reward: rule.reward,
    validFrom: rule.validFrom.toISOString(),
    validUntil: rule.validUntil.toISOString(),
    offerValidDays: rule.offerValidDays,
    perShopperLimit: rule.perShopperLimit,
  };
}

function toDto(rule: Rule): RuleDto {
  return {
    ...toCouponRule(rule),
    createdBy: rule.createdBy,
    createdAt: rule.createdAt.toISOString(),
    version: rule.version,
    updatedAt: rule.updatedAt.toISOString(),
  };
}

@Injectable()
export class RulesService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Rule) private readonly rules: Repository<Rule>,
    private readonly outbox: Outbox,
  ) {}

  async create(actor: Principal, dto: CreateRuleDto, now: Date): Promise<RuleDto> {
    const id = randomUUID();
    return this.dataSource.transaction(async (manager) => {
      await manager.insert(Rule, {
        id,
        ...definition(dto),
        createdBy: actor.subject,
        version: 1,
        updatedAt: now,
      });
      return this.recordChange(manager, actor, 'rule.created', id, dto);
    });
  }

  /** Replaces the rule's definition; offers already issued keep their terms. */
  async update(actor: Principal, id: string, dto: CreateRuleDto, now: Date): Promise<RuleDto> {
    return this.dataSource.transaction(async (manager) => {
      const rule = await this.lockRule(manager, id);
      await manager.update(
        Rule,
        { id },
        { ...definition(dto), version: rule.version + 1, updatedAt: now },
      );
      return this.recordChange(manager, actor, 'rule.updated', id, dto);
    });
  }

  /** Pauses or resumes a rule; asking for the status it has changes nothing. */
  async setStatus(actor: Principal, id: string, status: RuleStatus, now: Date): Promise<RuleDto> {
    return this.dataSource.transaction(async (manager) => {
      const rule = await this.lockRule(manager, id);
      if (rule.status === status) return toDto(rule);
      await manager.update(Rule, { id }, { status, version: rule.version + 1, updatedAt: now });
      return this.recordChange(manager, actor, 'rule.status-changed', id, { status });
    });
  }

  async list(): Promise<RuleDto[]> {
    const rules = await this.rules.find({ order: { createdAt: 'DESC' } });
    return rules.map(toDto);
  }

  async get(id: string): Promise<RuleDto> {
    const rule = await this.rules.findOneBy({ id });
    if (!rule) throw new NotFoundException(`No rule ${id}`);
    return toDto(rule);
  }

  // The row lock serializes a rule's changes, so its events enter the outbox in version order.
  private async lockRule(manager: EntityManager, id: string): Promise<Rule> {
    const rule = await manager.findOne(Rule, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!rule) throw new NotFoundException(`No rule ${id}`);
    return rule;
  }

  /** Audits the change and puts the whole rule, at its new version, in the outbox. */
  private async recordChange(
    manager: EntityManager,
    actor: Principal,
    action: string,
    id: string,
    details: object,
  ): Promise<RuleDto> {
    const rule = await manager.findOneByOrFail(Rule, { id });
    await manager.insert(AuditEntry, {
      actor: actor.subject,
      action,
      entity: 'coupon_rule',
      entityId: id,
      details,
    });
    await this.outbox.append(manager, [
      {
        topic: TOPICS.ruleChanged,
        key: id,
        value: {
          rule: toCouponRule(rule),
          version: rule.version,
          changedAt: rule.updatedAt.toISOString(),
        } satisfies RuleChangedV1,
      },
    ]);
    return toDto(rule);
  }
}
