import { Logger } from '@nestjs/common';
import { DomainError, deadLetterTopic } from '@loyalty/domain';
import { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { EventProducer } from './event-producer';

/** A message that can never be processed: it goes to the dead-letter topic, the stream moves on. */
export class PoisonMessageError extends Error {}

/**
 * Errors that would repeat on every retry: a poison message, a broken domain rule, or a PostgreSQL
 * data exception (SQLSTATE class 22, e.g. a value out of range). Everything else is transient.
 */
export function isPermanentError(error: unknown): boolean {
  if (error instanceof PoisonMessageError || error instanceof DomainError) return true;
  const sqlState = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof sqlState === 'string' && sqlState.startsWith('22');
}

export interface EventConsumerOptions<T> {
  groupId: string;
  topic: string;
  /**
   * How long the group waits for a silent member before giving its partitions to the others, and
   * for the members to rejoin during a rebalance.
   */
  sessionTimeoutMs?: number;
  /** Parses and checks the contract; throws PoisonMessageError for a bad message. */
  parse(value: Buffer | null): T;
  /** Handles the events of one partition's batch, in order, all or none. */
  handleBatch(events: T[], position: BatchPosition): Promise<void>;
}

/** Where a batch stands in its partition. */
export interface BatchPosition {
  /** Messages the partition held after the batch's last when it was fetched (0: at the end). */
  lag: number;
}

/** How long a consumer that kafkajs gave up on waits before it joins its group again. */
const RESTART_DELAY_MS = 5_000;

/**
 * Runs a consumer group member over batches. Offsets are committed only after `handleBatch`
 * resolved. Poison messages are dead-lettered with the reason in headers before the batch runs;
 * if the batch fails for good (a broken domain rule, a data exception), its events are retried
 * one by one so that only the culprit is dead-lettered. Any other error (database or broker down)
 * is retried with backoff without committing, so nothing is lost.
 */
export class EventConsumer<T> {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    kafka: Kafka,
    private readonly producer: EventProducer,
    private readonly options: EventConsumerOptions<T>,
  ) {
    this.logger = new Logger(`EventConsumer:${options.topic}`);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: true,
      // librdkafka's mock broker answers a fetch only when the wait expires, not when data arrives;
      // a short wait keeps swipe-to-profile latency low there and costs little on Apache Kafka.
      maxWaitTimeInMs: 50,
      retry: { initialRetryTime: 300, retries: 8 },
      ...(options.sessionTimeoutMs && {
        sessionTimeout: options.sessionTimeoutMs,
        rebalanceTimeout: options.sessionTimeoutMs,
        heartbeatInterval: Math.floor(options.sessionTimeoutMs / 3),
      }),
    });
    // Which partitions this member holds: what an operator needs to follow a rebalance.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.logger.log(
        {
          groupId: payload.groupId,
          memberId: payload.memberId,
          partitions: payload.memberAssignment[options.topic] ?? [],
        },
        'Joined consumer group',
      );
    });
    // kafkajs restarts a consumer after errors it deems transient, and leaves it stopped after
    // the others (e.g. an answer it did not expect from a broker). A stopped consumer would leave
    // its partitions unread while the process looks healthy: start it again.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopping) return;
      this.restartLater(payload.error);
    });
  }

  private restartLater(error: Error): void {
    this.logger.error(
      { error: error.message },
      `Consumer stopped on an error; joining the group again in ${RESTART_DELAY_MS} ms`,
    );
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.consumer
        .connect()
        .then(() => this.run())
        .catch((failure: Error) => this.restartLater(failure));
    }, RESTART_DELAY_MS);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.run();
  }

  private async run(): Promise<void> {
    await this.consumer.run({
      // Partitions are independent (order matters only within one): work on several at once.
      partitionsConsumedConcurrently: 4,
      eachBatchAutoResolve: false,
      eachBatch: async ({
        batch,
        resolveOffset,
        heartbeat,
        commitOffsetsIfNecessary,
        isRunning,
        isStale,
      }) => {
        const parsed: { event: T; message: KafkaMessage }[] = [];
        for (const message of batch.messages) {
          try {
            parsed.push({ event: this.options.parse(message.value), message });
          } catch (error) {
            if (!isPermanentError(error)) throw error;
            await this.deadLetter(batch.topic, batch.partition, message, (error as Error).message);
          }
        }
        if (!isRunning() || isStale()) return;
        const position = { lag: Math.max(0, Number(batch.offsetLag())) };
        try {
          await this.options.handleBatch(
            parsed.map((p) => p.event),
            position,
          );
        } catch (error) {
          if (!isPermanentError(error)) throw error;
          await this.isolateCulprits(batch.topic, batch.partition, parsed, position);
        }
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
  }

  private async isolateCulprits(
    topic: string,
    partition: number,
    parsed: { event: T; message: KafkaMessage }[],
    position: BatchPosition,
  ) {
    for (const { event, message } of parsed) {
      try {
        await this.options.handleBatch([event], position);
      } catch (error) {
        if (!isPermanentError(error)) throw error;
        await this.deadLetter(topic, partition, message, (error as Error).message);
      }
    }
  }

  /** Leaves the group after in-flight messages finish, so partitions move on at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.consumer.disconnect();
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: string,
  ): Promise<void> {
    this.logger.warn(
      { topic, partition, offset: message.offset, reason },
      'Dead-lettering message',
    );
    await this.producer.sendRaw(deadLetterTopic(topic), [
      {
        key: message.key,
        value: message.value,
        headers: {
          'dlq-reason': reason,
          'dlq-original-topic': topic,
          'dlq-original-partition': String(partition),
          'dlq-original-offset': message.offset,
        },
      },
    ]);
  }
}
