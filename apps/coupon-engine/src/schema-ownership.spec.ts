import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// coupon-engine writes only its own schema: rules and household facts reach it by event, offer
// state lives in loyalty-api's wallet. It reads another app's table only through the named reads
// listed here (and in docs/ARCHITECTURE.md). A query naming anything else fails here.
const NAMED_READS: Record<string, string[]> = {
  'analytics/basket-counts.query.ts': ['ingest.transactions'],
  'audiences/audience-facts.query.ts': ['ingest.shopper_products', 'loyalty.audience_list_members'],
  'audiences/compile-audience.ts': ['ingest.shopper_products', 'loyalty.audience_list_members'],
  'previews/preview.service.ts': ['ingest.shopper_products'],
};

describe('coupon-engine names no schema but its own, except in its named reads', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? files(join(dir, entry.name))
        : entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')
          ? [join(dir, entry.name)]
          : [],
    );

  it.each(files(__dirname).map((file) => [file.slice(__dirname.length + 1), file]))(
    '%s',
    (name, file) => {
      // Comments may name other schemas (to say where something went); code may not.
      const source = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const named = [...new Set(source.match(/\b(loyalty|ingest)\.[a-z_]+/g) ?? [])].sort();
      expect(named).toEqual(NAMED_READS[name] ?? []);
      expect(source).not.toMatch(/\b(INSERT INTO|UPDATE|DELETE FROM)\s+(loyalty|ingest)\./i);
    },
  );
});
