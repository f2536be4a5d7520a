import { PosTransaction } from '@loyalty/domain';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../src/config';
import { parseTransaction, parseTransactionRecorded } from '../src/transactions/parse-transaction';
import { ProjectionService } from '../src/transactions/projection.service';
import { openDatabase, startPosIngest } from '../../../test/support/apps';
import { makeCardNumber, makeLine, makeTransaction } from '../../../test/support/factories';

// Whatever the intake accepts, the projector stores: transactions generated with any text (control
// characters, lone surrogates, emoji, combining marks, quotes) and odd numbers, judged by the
// intake's parser; those it accepts are projected into the real database, whole.

const anyText = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }) },
  fc.string({ maxLength: 70 }),
  fc.string({ unit: 'binary', maxLength: 70 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength: 70,
  }),
);
const anyCents = fc.oneof({ weight: 8, arbitrary: fc.nat(10_000) }, fc.integer(), fc.double());

const transactions = fc
  .record({
    sku: anyText,
    description: anyText,
    department: anyText,
    brand: anyText,
    reference: anyText,
    quantity: fc.oneof(
      { weight: 4, arbitrary: fc.double({ min: 0.001, max: 1e6, noNaN: true }) },
      fc.double(),
    ),
    amountCents: anyCents,
    posTransactionId: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, anyText),
  })
  .map((f): PosTransaction => {
    const line = {
      ...makeLine({ sku: f.sku, department: f.department, quantity: f.quantity }),
      description: f.description,
      brand: f.brand,
      amountCents: f.amountCents,
      discounts: [{ source: 'promotion' as const, amountCents: 1, reference: f.reference }],
    };
    return makeTransaction({
      storeId: 'store-contract',
      posTransactionId: f.posTransactionId,
      cardNumber: makeCardNumber(),
      lines: [line],
      totalCents: f.amountCents,
      tenders: [{ type: 'cash', amountCents: f.amountCents }],
    });
  });

describe('the transaction contract, end to end', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase();
    app = await startPosIngest({ PROJECTOR_ENABLED: 'false' });
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('projects into the database every transaction the intake accepts, exactly as sent', async () => {
    const rules = app.get(PosIngestConfig).transactionRules;
    const projection = app.get(ProjectionService);
    const receivedAt = new Date();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(transactions, { minLength: 1, maxLength: 5 }), async (batch) => {
        const intake = batch.flatMap((tx) => {
          const parsed = parseTransaction(tx, receivedAt, rules);
          return parsed.ok ? [{ ...parsed.tx, receivedAt: receivedAt.toISOString() }] : [];
        });
        const unique = [...new Map(intake.map((tx) => [tx.posTransactionId, tx])).values()];
        for (const message of unique)
          expect(parseTransactionRecorded(message, rules).ok).toBe(true);
        await projection.projectBatch(unique, new Date());
        for (const tx of unique) {
          const [row] = await db.query(
            `SELECT lines::text AS lines FROM ingest.transactions WHERE store_id = $1 AND pos_transaction_id = $2`,
            [tx.storeId, tx.posTransactionId],
          );
          expect(JSON.parse(row.lines)).toEqual(tx.lines);
        }
        accepted += unique.length;
      }),
      { numRuns: 100 },
    );
    // The generator is meant to reach the database, not only the refusals.
    expect(accepted).toBeGreaterThan(50);
  }, 120_000);
});
