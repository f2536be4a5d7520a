import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DevKafka {
  brokers: string;
  pid: number;
  logFile: string;
}

/**
 * Starts librdkafka's mock cluster (embedded in Debian's `kcat`): a real Kafka-protocol broker
 * held in memory, for tests and the local demo. It serves until its process is killed. Limits:
 * topics appear on first use with 4 partitions; no admin createTopics, idempotent or
 * transactional producer; about 5 MB kept per partition.
 */
export async function startDevKafka(brokerCount = 3, timeoutMs = 15_000): Promise<DevKafka> {
  // Its log goes to a file: a pipe would break (SIGPIPE) once the starting process exits.
  const logFile = join(tmpdir(), `dev-kafka-${process.pid}-${Date.now()}.log`);
  const log = openSync(logFile, 'w');
  const child = spawn(
    'kcat',
    ['-C', '-b', '127.0.0.1:1', '-t', '_mock', '-X', `test.mock.num.brokers=${brokerCount}`],
    {
      detached: true,
      stdio: ['ignore', 'ignore', log],
    },
  );
  closeSync(log);
  let failure: Error | null = null;
  child.on('error', (error) => {
    failure = new Error(`Cannot start kcat (apt-get install -y kcat): ${error.message}`);
  });
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (failure) throw failure;
    const match = /replaced with (\S+)/.exec(readFileSync(logFile, 'utf8'));
    if (match && child.pid) return { brokers: match[1], pid: child.pid, logFile };
    await sleep(50);
  }
  stopDevKafka({ pid: child.pid ?? 0, logFile, brokers: '' });
  throw new Error(`kcat mock cluster did not start within ${timeoutMs} ms; see ${logFile}`);
}

export function stopDevKafka({ pid, logFile }: DevKafka): void {
  try {
    if (pid) process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  rmSync(logFile, { force: true });
}

/** The Kafka settings a local run gives its apps. */
export interface AppKafka {
  devKafka: DevKafka | null;
  env: { KAFKA_BROKERS: string; KAFKA_IDEMPOTENT_PRODUCER: string };
}

/**
 * KAFKA_BROKERS when set, else a dev broker started here (stop it with stopDevKafka). The mock
 * broker has no idempotent producer, so the apps turn it off there.
 */
export async function kafkaForApps(): Promise<AppKafka> {
  const configured = process.env.KAFKA_BROKERS;
  const devKafka = configured ? null : await startDevKafka();
  return {
    devKafka,
    env: {
      KAFKA_BROKERS: configured ?? (devKafka as DevKafka).brokers,
      KAFKA_IDEMPOTENT_PRODUCER: devKafka
        ? 'false'
        : (process.env.KAFKA_IDEMPOTENT_PRODUCER ?? 'true'),
    },
  };
}
