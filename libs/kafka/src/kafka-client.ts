import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';

const levels: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

// kafkajs logs through Nest's logger, so its lines end up in the same structured JSON log.
export function createKafkaClient(clientId: string, brokers: string[]): Kafka {
  const logger = new Logger('kafkajs');
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    // Fail fast when brokers are away: callers (a lane waiting on intake) need an answer in seconds.
    connectionTimeout: 1_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        logger[levels[level] ?? 'log']({ ...extra, msg: message });
      },
  });
}
