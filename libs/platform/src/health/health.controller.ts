import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { KafkaHealthIndicator } from './kafka.health';
import { Public } from '../auth/access';
import { ApiErrors } from '../http/api-errors';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
  ) {}

  /** The process is up; says nothing of its dependencies (for restarts). */
  @Get('live')
  @Public()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** The app can serve: database and Kafka answer in time (for load balancers). */
  @Get('ready')
  @Public()
  @ApiErrors({
    status: 503,
    codes: ['UNAVAILABLE'],
    description: 'The database or Kafka does not answer in time: route no traffic here',
  })
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1_000 }),
      () => this.kafka.isHealthy('kafka'),
    ]);
  }
}
