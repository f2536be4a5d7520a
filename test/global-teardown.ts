// Jest does not map module aliases in global teardown; tsconfig paths resolve @loyalty/* here.
import 'tsconfig-paths/register';
import { dropTestDatabase } from './support/test-database';
import { stopDevKafka } from './support/dev-kafka';

export default async function globalTeardown(): Promise<void> {
  if (process.env.DEV_KAFKA) stopDevKafka(JSON.parse(process.env.DEV_KAFKA));
  if (process.env.TEST_DATABASE_NAME) await dropTestDatabase(process.env.TEST_DATABASE_NAME);
}
