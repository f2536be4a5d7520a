import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  IsTimeZone,
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
  @IsIn(['true', 'false'], { message: 'KAFKA_IDEMPOTENT_PRODUCER must be true or false' })
  KAFKA_IDEMPOTENT_PRODUCER: 'true' | 'false' = 'true';

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

  /**
   * Our loyalty cards start with this; any other Luhn-valid 13-19 digit number in a request is a
   * payment card number, refused by every app.
   */
  @Matches(/^\d{1,8}$/, { message: 'LOYALTY_CARD_PREFIX must be 1 to 8 digits' })
  LOYALTY_CARD_PREFIX = '98';

  /**
   * The programme's time zone (IANA): its calendar dates are the days of the profile facts, of
   * audiences and of scheduled jobs.
   */
  @IsTimeZone({ message: 'PROGRAMME_TIME_ZONE must be an IANA time zone such as Europe/London' })
  PROGRAMME_TIME_ZONE = 'Europe/London';

  /** Scheduled jobs run in this process; each job's period runs once, whatever the processes. */
  @IsIn(['true', 'false'], { message: 'JOBS_ENABLED must be true or false' })
  JOBS_ENABLED: 'true' | 'false' = 'true';

  get idempotentProducer(): boolean {
    return this.KAFKA_IDEMPOTENT_PRODUCER === 'true';
  }

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',');
  }
}
