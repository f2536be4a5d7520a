import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// coupon-engine reads and writes only its own schema: rules reach it by event, offer state lives
// in loyalty-api's wallet. A query naming another app's schema fails here.
describe('coupon-engine names no schema but its own', () => {
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
    (_name, file) => {
      // Comments may name other schemas (to say where something went); code may not.
      const source = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(source.match(/\b(loyalty|ingest)\.[a-z_]+/g) ?? []).toEqual([]);
    },
  );
});
