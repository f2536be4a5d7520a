import { Module } from '@nestjs/common';
import { WithdrawalsModule } from '../withdrawals/withdrawals.module';
import { LiveRulesQuery } from './live-rules.query';
import { RuleChangedConsumer } from './rule-changed.consumer';
import { RulesCopyService } from './rules-copy.service';

@Module({
  imports: [WithdrawalsModule],
  providers: [LiveRulesQuery, RuleChangedConsumer, RulesCopyService],
  exports: [LiveRulesQuery],
})
export class RulesModule {}
