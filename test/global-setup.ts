// Jest does not map module aliases in global setup; tsconfig paths resolve @loyalty/* here.
import 'tsconfig-paths/register';
import { createTestDatabase, dropTestDatabase } from './support/test-database';
import { startDevKafka, stopDevKafka } from './support/dev-kafka';

// Runs once before all tests; the environment set here reaches every test worker. Jest skips the
// teardown when this fails, so this cleans up after itself.
export default async function globalSetup(): Promise<void> {
  const databaseName = `loyalty_test_${process.pid}_${Date.now()}`;
  const kafka = await startDevKafka();
  try {
    process.env.DATABASE_URL = await createTestDatabase(databaseName);
  } catch (error) {
    stopDevKafka(kafka);
    await dropTestDatabase(databaseName);
    throw error;
  }
  process.env.TEST_DATABASE_NAME = databaseName;
  process.env.DEV_KAFKA = JSON.stringify(kafka);
  process.env.KAFKA_BROKERS = kafka.brokers;
  process.env.KAFKA_IDEMPOTENT_PRODUCER = 'false';
  process.env.JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
  process.env.JOBS_ENABLED = 'false';
}
