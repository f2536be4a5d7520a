import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';
import { KAFKA_OPTIONS, KafkaOptions } from './kafka-options';

export interface EventMessage {
  key: string;
  value: unknown;
  headers?: Record<string, string>;
}

const SEND_TIMEOUT_MS = 2_000;

/** Produces JSON events; a send resolves only when all in-sync replicas have the messages. */
@Injectable()
export class EventProducer implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: Producer;

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
    await this.producer.disconnect();
  }

  async send(topic: string, messages: readonly EventMessage[]): Promise<void> {
    await this.sendRaw(
      topic,
      messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value), headers: m.headers })),
    );
  }

  async sendRaw(
    topic: string,
    messages: readonly {
      key: string | Buffer | null;
      value: string | Buffer | null;
      headers?: Record<string, string | Buffer>;
    }[],
  ): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      timeout: SEND_TIMEOUT_MS,
      compression: CompressionTypes.None,
      messages: [...messages],
    });
  }
}
