import { Outbox } from '@loyalty/kafka';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startLoyaltyApi } from '../../../test/support/apps';
import { readUntil } from '../../../test/support/kafka';

// The app's injected outbox (`loyalty.outbox`): events leave only with the transaction that made them.
describe('Outbox', () => {
  const topic = 'test.outbox-probe.v1';
  let app: NestFastifyApplication;
  let outbox: Outbox;
  let dataSource: DataSource;

  beforeAll(async () => {
    app = await startLoyaltyApi();
    outbox = app.get(Outbox);
    dataSource = app.get(DataSource);
  });

  afterAll(async () => {
    await app.close();
  });

  it('refuses an append outside a transaction', async () => {
    await expect(
      outbox.append(dataSource.manager, [{ topic, key: randomUUID(), value: {} }]),
    ).rejects.toThrow('inside the transaction');
  });

  it('publishes what a committed transaction appended, and nothing of a rolled-back one', async () => {
    const key = randomUUID();
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.append(manager, [{ topic, key, value: { step: 'rolled back' } }]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await dataSource.transaction((manager) =>
      outbox.append(manager, [{ topic, key, value: { step: 'committed' } }]),
    );
    // Everything with this key produced before the committed event is read too (one partition).
    const read = await readUntil(topic, (m) => m.key?.toString() === key);
    expect(
      read.filter((m) => m.key?.toString() === key).map((m) => JSON.parse(m.value!.toString())),
    ).toEqual([{ step: 'committed' }]);
  });
});
