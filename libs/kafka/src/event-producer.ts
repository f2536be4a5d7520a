import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CompressionTypes, Kafka, Message, Partitioners, Producer } from 'kafkajs';
import { KAFKA_OPTIONS, KafkaOptions } from './kafka-options';

export interface EventMessage {
  key: string;
  value: unknown;
  headers?: Record<string, string>;
}

const SEND_TIMEOUT_MS = 2_000;
// Sends arriving within this window leave as one request: one record batch per partition, which
// consumers then fetch together (librdkafka's mock broker returns one producer batch per fetch).
const LINGER_MS = 20;

type RawMessage = Message & { key: string | Buffer | null };

interface Pending {
  topic: string;
  messages: readonly RawMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Produces JSON events; a send resolves only when all in-sync replicas have the messages. */
@Injectable()
export class EventProducer implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: Producer;
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(kafka: Kafka, @Inject(KAFKA_OPTIONS) options: KafkaOptions) {
    const idempotent = options.idempotentProducer;
    this.producer = kafka.producer({
      idempotent,
      // Ordering per key survives retries only with a single request in flight when idempotence is off.
      maxInFlightRequests: idempotent ? 5 : 1,
      allowAutoTopicCreation: true,
      // murmur2 on the key, as the Java client: the same card lands on the same partition everywhere.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded, so a caller waiting on a send (a POS lane) gets an answer within seconds.
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
    await this.producer.disconnect();
  }

  async send(topic: string, messages: readonly EventMessage[]): Promise<void> {
    await this.sendRaw(
      topic,
      messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value), headers: m.headers })),
    );
  }

  sendRaw(topic: string, messages: readonly RawMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ topic, messages, resolve, reject });
      this.timer ??= setTimeout(() => void this.flush(), LINGER_MS);
    });
  }

  private async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const sends = this.pending;
    this.pending = [];
    if (sends.length === 0) return;
    const byTopic = new Map<string, RawMessage[]>();
    for (const send of sends) {
      const messages = byTopic.get(send.topic);
      if (messages) messages.push(...send.messages);
      else byTopic.set(send.topic, [...send.messages]);
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        timeout: SEND_TIMEOUT_MS,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      sends.forEach((send) => send.resolve());
    } catch (error) {
      sends.forEach((send) => send.reject(error));
    }
  }
}
