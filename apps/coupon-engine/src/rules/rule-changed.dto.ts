import { RULE_STATUSES_V2, RuleChangedV2, RuleStatusV2, parseRule } from '@loyalty/domain';
import { PoisonMessageError } from '@loyalty/kafka';
import { parseMessage } from '@loyalty/platform';
import { IsIn, IsISO8601, IsInt, IsObject, IsUUID, Min } from 'class-validator';

// `loyalty-api.rule-changed.v2` as the engine relies on it: the envelope here, the rule judged by
// the domain's one parser. Anything else is poison (dead-lettered), so no rule the engine cannot
// evaluate enters its copy.
class RuleChangedEnvelopeDto {
  @IsUUID()
  ruleId!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsInt()
  @Min(1)
  revision!: number;

  @IsIn(RULE_STATUSES_V2)
  status!: RuleStatusV2;

  @IsObject()
  rule!: object;

  @IsISO8601({ strict: true })
  changedAt!: string;
}

export function parseRuleChanged(value: Buffer | null, loyaltyCardPrefix: string): RuleChangedV2 {
  const envelope = parseMessage(RuleChangedEnvelopeDto, value);
  const parsed = parseRule(envelope.rule, { loyaltyCardPrefix });
  if (!parsed.ok)
    throw new PoisonMessageError(
      parsed.violations.map((v) => `rule.${v.field}: ${v.rule}`).join('; '),
    );
  if (parsed.rule.id !== envelope.ruleId) throw new PoisonMessageError('rule.id: not the ruleId');
  return { ...envelope, rule: parsed.rule };
}
