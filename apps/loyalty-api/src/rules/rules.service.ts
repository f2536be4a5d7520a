import { Injectable, NotFoundException } from '@nestjs/common';
import { AudienceCondition, Reward, RewardTarget } from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { randomUUID } from 'node:crypto';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
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

function toDto(rule: Rule): RuleDto {
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
    createdBy: rule.createdBy,
    createdAt: rule.createdAt.toISOString(),
  };
}

@Injectable()
export class RulesService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Rule) private readonly rules: Repository<Rule>,
  ) {}

  async create(actor: Principal, dto: CreateRuleDto): Promise<RuleDto> {
    const id = randomUUID();
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(Rule, {
        id,
        name: dto.name,
        status: dto.status,
        audience: dto.audience.map(toCondition),
        reward: toReward(dto.reward),
        validFrom: new Date(dto.validFrom),
        validUntil: new Date(dto.validUntil),
        offerValidDays: dto.offerValidDays,
        perShopperLimit: dto.perShopperLimit,
        createdBy: actor.subject,
      });
      await manager.insert(AuditEntry, {
        actor: actor.subject,
        action: 'rule.created',
        entity: 'coupon_rule',
        entityId: id,
        details: dto,
      });
    });
    return this.get(id);
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
}
