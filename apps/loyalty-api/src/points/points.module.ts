import { Module } from '@nestjs/common';
import { PointsLedger } from './points-ledger';

@Module({ providers: [PointsLedger], exports: [PointsLedger] })
export class PointsModule {}
