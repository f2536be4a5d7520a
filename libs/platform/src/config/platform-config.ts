import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// Environment variables every app reads. Property names are the variable names, so a
// validation message names exactly what the operator has to fix.
export class PlatformConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, {
    message: 'KAFKA_BROKERS must be a comma-separated list of host:port',
  })
  KAFKA_BROKERS!: string;

  // librdkafka's mock cluster (used in tests and the local demo) has no idempotent producer.
  @Transform(({ value }) => (value === undefined ? value : String(value) === 'true'))
  @IsBoolean()
  KAFKA_IDEMPOTENT_PRODUCER = true;

  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET!: string;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT!: number;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsString()
  @IsNotEmpty()
  APP_NAME!: string;

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',');
  }
}
