import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RuleVersion } from './rule-version.entity';
import { Rule } from './rule.entity';
import { RulesPageQuery } from './rules-page.query';
import { RulesController } from './rules.controller';
import { RulesService } from './rules.service';

@Module({
  imports: [TypeOrmModule.forFeature([Rule, RuleVersion])],
  controllers: [RulesController],
  providers: [RulesService, RulesPageQuery],
})
export class RulesModule {}
