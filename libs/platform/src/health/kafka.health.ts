import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Admin, Kafka } from 'kafkajs';
import { withDeadline } from '../deadline';

const TIMEOUT_MS = 2_000;

@Injectable()
export class KafkaHealthIndicator implements OnApplicationShutdown {
  private admin: Admin | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'kafka'): Promise<HealthIndicatorResult> {
    const check = this.health.check(key);
    try {
      const admin = (this.admin ??= this.kafka.admin());
      const describe = async () => {
        await admin.connect();
        return admin.describeCluster();
      };
      const cluster = await withDeadline(describe(), TIMEOUT_MS, 'Kafka');
      return check.up({ brokers: cluster.brokers.length });
    } catch (error) {
      return check.down({ message: (error as Error).message });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
  }
}
