import { Kafka, KafkaMessage, Partitioners, RecordMetadata, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';

function client(): Kafka {
  return new Kafka({
    clientId: 'test',
    brokers: (process.env.KAFKA_BROKERS as string).split(','),
    logLevel: logLevel.NOTHING,
  });
}

/** Produces raw messages, as a misbehaving or foreign producer could; returns where they landed. */
export async function produce(
  topic: string,
  messages: { key: string; value: string }[],
): Promise<RecordMetadata[]> {
  const producer = client().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    return await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Reads `topic` from the beginning until a message satisfies `match`, or fails after `timeoutMs`. */
export async function findMessage(
  topic: string,
  match: (message: KafkaMessage) => boolean,
  timeoutMs = 30_000,
): Promise<KafkaMessage> {
  const read = await readUntil(topic, match, timeoutMs);
  return read[read.length - 1];
}

/**
 * Reads `topic` from the beginning until a message satisfies `stop`; returns every message read,
 * `stop`'s last. Everything with the same key as that message and produced before it is included.
 */
export async function readUntil(
  topic: string,
  stop: (message: KafkaMessage) => boolean,
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const consumer = client().consumer({
    groupId: `test-reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const read: KafkaMessage[] = [];
    return await new Promise<KafkaMessage[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`No matching message on ${topic} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          read.push(message);
          if (stop(message)) {
            clearTimeout(timer);
            resolve(read);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}
