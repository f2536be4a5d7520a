import { Module } from '@nestjs/common';
import { LiveRulesQuery } from './live-rules.query';
import { RuleChangedConsumer } from './rule-changed.consumer';
import { RulesCopyService } from './rules-copy.service';

@Module({
  providers: [LiveRulesQuery, RuleChangedConsumer, RulesCopyService],
  exports: [LiveRulesQuery],
})
export class RulesModule {}
