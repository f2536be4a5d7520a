import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventProducer } from './event-producer';
import { KAFKA_OPTIONS, KafkaOptions } from './kafka-options';

const BATCH_SIZE = 500;
const IDLE_POLL_MS = 250;
const RETRY_MS = 1_000;

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  /** The event as JSON text, sent as it is. */
  payload: string;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows in id order and deletes them once the broker acknowledged. One relay per
 * outbox works at a time (advisory lock held by the batch's transaction, which also covers the
 * bounded send), so events of one key keep their order as long as their writers are serialized
 * (they are: by the row lock on what they change). A crash between send and delete re-sends:
 * consumers are idempotent.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pending = false;

  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: EventProducer,
    @Inject(KAFKA_OPTIONS) options: KafkaOptions,
  ) {
    this.table = options.outboxTable;
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Call after committing outbox rows, so they leave without waiting for the next poll. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = IDLE_POLL_MS;
      try {
        this.pending = false;
        const published = await this.publishBatch();
        if (published === BATCH_SIZE) delay = 0;
      } catch (error) {
        this.logger.warn({ err: error }, `Outbox ${this.table} relay failed; retrying`);
        delay = RETRY_MS;
      }
      if (delay > 0 && !this.pending && this.running) await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Publishes one batch; returns how many rows it published. */
  private async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query(
        `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`,
        [this.table],
      );
      if (!locked) return 0;
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, topic, key, payload::text AS payload, headers FROM ${this.table} ORDER BY id LIMIT ${BATCH_SIZE}`,
      );
      if (rows.length === 0) return 0;
      // The producer sends them together, in order per topic, and resolves once all are acked.
      await Promise.all(
        rows.map((r) =>
          this.producer.sendRaw(r.topic, [{ key: r.key, value: r.payload, headers: r.headers }]),
        ),
      );
      await manager.query(`DELETE FROM ${this.table} WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  }
}
