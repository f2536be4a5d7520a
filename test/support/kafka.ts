import { Kafka, KafkaMessage, Partitioners, RecordMetadata, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

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
          if (judge(stop, message)) {
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

/**
 * Whether `message` satisfies `predicate`; false when the predicate cannot read it. Topics are
 * shared by every test file, and some produce poison on purpose (e.g. a non-JSON value): a
 * predicate that throws on it would make the consumer retry that message for ever instead of
 * reading on to the one awaited.
 */
function judge(predicate: (message: KafkaMessage) => boolean, message: KafkaMessage): boolean {
  try {
    return predicate(message);
  } catch {
    return false;
  }
}

/**
 * Commits the topic's current end as a new group's position, so its members read only what is
 * produced from now on instead of replaying everything earlier tests produced. (The mock broker
 * has no DescribeGroups, which admin.setOffsets needs: a short-lived member commits instead.)
 */
export async function startGroupAtEnd(groupId: string, topic: string): Promise<void> {
  const kafka = client();
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  // Short timeouts: the mock broker makes the next members wait for them even after a clean leave.
  const member = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    sessionTimeout: 6_000,
    rebalanceTimeout: 6_000,
    heartbeatInterval: 2_000,
  });
  await member.connect();
  try {
    const joined = new Promise((resolve) => member.on(member.events.GROUP_JOIN, resolve));
    await member.subscribe({ topic, fromBeginning: false });
    await member.run({ eachBatch: async () => undefined });
    await joined;
    await member.commitOffsets(
      ends.map(({ partition, high }) => ({ topic, partition, offset: high })),
    );
  } finally {
    await member.disconnect();
  }
}

/** One partition's progress: the group's committed offset against the end it must reach. */
interface PartitionLag {
  partition: number;
  committed: string;
  end: string;
}

/**
 * Waits until consumer group `groupId` has committed, on every partition of `topic`, the end
 * offsets the topic has now: everything produced before the call is processed (a consumer
 * commits only after the effects of what it read are committed). Polling a count in the
 * database cannot show this: a duplicate delivery still in flight changes no count until it
 * does harm. Fails after `timeoutMs` naming each partition still behind.
 */
export async function waitForDrain(
  groupId: string,
  topic: string,
  timeoutMs = 60_000,
): Promise<void> {
  const admin = client().admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const deadline = Date.now() + timeoutMs;
    let behind: PartitionLag[] = [];
    do {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      behind = ends.flatMap(({ partition, low, high }) => {
        const offset = committed.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
        // -1: the group never committed here, which is drained only if there is nothing to read.
        const done = offset === '-1' ? low === high : BigInt(offset) >= BigInt(high);
        return done ? [] : [{ partition, committed: offset, end: high }];
      });
      if (behind.length === 0) return;
      await sleep(200);
    } while (Date.now() < deadline);
    throw new Error(
      `Consumer group ${groupId} did not drain ${topic} within ${timeoutMs} ms; behind: ${behind
        .map((p) => `partition ${p.partition} committed ${p.committed} of ${p.end}`)
        .join(', ')}`,
    );
  } finally {
    await admin.disconnect();
  }
}
