export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

export interface KafkaOptions {
  clientId: string;
  brokers: string[];
  /** On for Apache Kafka; librdkafka's mock cluster (tests, local demo) does not support it. */
  idempotentProducer: boolean;
  /** The app's outbox table, e.g. `ingest.outbox`. */
  outboxTable: string;
}
