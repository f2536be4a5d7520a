import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { EventMessage } from './event-producer';
import { KAFKA_OPTIONS, KafkaOptions } from './kafka-options';
import { OutboxRelay } from './outbox-relay';

export interface OutboxEvent extends EventMessage {
  topic: string;
}

/**
 * Writes events into `table` (the owning app's outbox, e.g. `loyalty.outbox`) in `manager`'s
 * transaction, for writers outside a Nest app (the CLI); the app's relay publishes them. Services
 * use the injected `Outbox`, which also wakes the relay after commit.
 */
export async function appendToOutbox(
  manager: EntityManager,
  table: string,
  events: readonly OutboxEvent[],
): Promise<void> {
  if (events.length === 0) return;
  // One JSON document, in event order (the ids follow it): as arrays of JSON text, node-postgres
  // escaped every payload and PostgreSQL unescaped it before parsing it.
  await manager.query(
    `INSERT INTO ${table} (topic, key, payload, headers)
     SELECT topic, key, payload, headers
       FROM jsonb_to_recordset($1::jsonb) AS e(topic text, key text, payload jsonb, headers jsonb)`,
    [
      JSON.stringify(
        events.map((e) => ({
          topic: e.topic,
          key: e.key,
          payload: e.value,
          headers: e.headers ?? {},
        })),
      ),
    ],
  );
}

// Set on the query runner whose transaction holds appended rows; read by the commit hook.
const WAKE_AFTER_COMMIT = 'outboxWakeAfterCommit';

/**
 * The app's outbox (its table comes from `KafkaOptions.outboxTable`). A service calls `append`
 * inside its `dataSource.transaction`; once that transaction commits, TypeORM's
 * `afterTransactionCommit` hook wakes the relay, so the rows leave at once instead of at the next
 * poll. A rolled-back transaction wakes nothing, and the caller has nothing else to call.
 */
@Injectable()
export class Outbox implements OnModuleInit, EntitySubscriberInterface {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    @Inject(KAFKA_OPTIONS) options: KafkaOptions,
  ) {
    this.table = options.outboxTable;
  }

  onModuleInit(): void {
    // Subscribers are read at every broadcast, so one added after initialization is called too.
    this.dataSource.subscribers.push(this);
  }

  async append(manager: EntityManager, events: readonly OutboxEvent[]): Promise<void> {
    const queryRunner = manager.queryRunner;
    if (!queryRunner?.isTransactionActive) {
      throw new Error('Outbox.append must run inside the transaction that makes the change');
    }
    if (events.length === 0) return;
    await appendToOutbox(manager, this.table, events);
    queryRunner.data[WAKE_AFTER_COMMIT] = true;
  }

  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    // Fires for a released savepoint too: wait for the outermost commit.
    if (queryRunner.isTransactionActive || !queryRunner.data[WAKE_AFTER_COMMIT]) return;
    delete queryRunner.data[WAKE_AFTER_COMMIT];
    this.relay.wake();
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive) delete queryRunner.data[WAKE_AFTER_COMMIT];
  }
}
