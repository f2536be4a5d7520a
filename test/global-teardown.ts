// Jest does not map module aliases in global setup; tsconfig paths resolve @loyalty/* here.
import 'tsconfig-paths/register';
import { dropTestDatabase } from './support/test-database';
import { stopDevKafka } from './support/dev-kafka';

export default async function globalTeardown(): Promise<void> {
  stopDevKafka(Number(process.env.DEV_KAFKA_PID));
  if (process.env.TEST_DATABASE_NAME) await dropTestDatabase(process.env.TEST_DATABASE_NAME);
}
