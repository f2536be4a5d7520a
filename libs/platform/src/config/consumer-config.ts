import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';

/** A config variable naming a Kafka consumer group (or the start of one). */
export const IsConsumerGroupId = () =>
  Matches(/^[A-Za-z0-9._-]+$/, { message: '$property must be a Kafka group id' });

/**
 * A config variable holding a consumer group's session timeout: how long the group waits for a
 * silent member before its partitions move to the others. Kafka brokers accept 6 s to 30 min
 * by default.
 */
export const IsSessionTimeoutMs = () =>
  applyDecorators(
    Type(() => Number),
    IsInt({ message: '$property must be a whole number of milliseconds' }),
    Min(6_000),
    Max(1_800_000),
  );
