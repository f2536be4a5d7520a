import { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

// Where a planted value (a canary) could be left behind: any table of the three apps, any topic.

export type TopicOffsets = Map<string, Map<number, string>>;

export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map(
      (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, high]),
    );
  } finally {
    await admin.disconnect();
  }
}

/** The end of every topic, to read later only what was produced from then on. */
export async function everyTopicEnd(kafka: Kafka): Promise<TopicOffsets> {
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => !t.startsWith('_'));
  await admin.disconnect();
  return new Map(
    await Promise.all(topics.map(async (t) => [t, await endOffsets(kafka, t)] as const)),
  );
}

/**
 * Every message of every topic as text (key, value and headers); with `since`, only those
 * produced after it (a topic created since is read whole).
 */
export async function everyMessage(kafka: Kafka, since?: TopicOffsets): Promise<string[]> {
  const texts: string[] = [];
  for (const [topic, ends] of await everyTopicEnd(kafka)) {
    const start = (partition: number) => Number(since?.get(topic)?.get(partition) ?? 0);
    const remaining = new Map(
      [...ends].filter(([partition, high]) => Number(high) > start(partition)),
    );
    if (remaining.size === 0) continue;
    const consumer = kafka.consumer({
      groupId: `canary-reader-${randomUUID()}`,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (Number(message.offset) >= start(partition)) {
            texts.push(
              `${message.key?.toString() ?? ''} ${message.value?.toString() ?? ''} ${JSON.stringify(
                Object.fromEntries(
                  Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
                ),
              )}`,
            );
          }
          if (Number(message.offset) + 1 >= Number(remaining.get(partition) ?? 0)) {
            remaining.delete(partition);
            if (remaining.size === 0) resolve();
          }
        },
      });
    });
    await consumer.disconnect();
  }
  return texts;
}

/** Tables of the three apps that hold `text` in any row. */
export async function rowsHolding(db: DataSource, text: string): Promise<string[]> {
  const tables: { schema: string; table: string }[] = await db.query(
    `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
      WHERE table_schema IN ('ingest', 'coupons', 'loyalty') AND table_type = 'BASE TABLE'`,
  );
  const found: string[] = [];
  for (const { schema, table } of tables) {
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM "${schema}"."${table}" t WHERE t::text LIKE $1`,
      [`%${text}%`],
    );
    if (n > 0) found.push(`${schema}.${table}`);
  }
  return found;
}
