import fc from 'fast-check';

// Request bodies generated from an app's own OpenAPI document: mostly shaped like the contract
// (its examples, enums and types), with hostile values anywhere (wrong types, nulls, control
// characters, lone surrogates, payment card numbers, nested arrays, prototype keys, deep nesting).

export type Schema = {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  example?: unknown;
  /** An NDJSON body's line, as the intake documents it. */
  'x-ndjson-line'?: Schema;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
};

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
  security?: Record<string, unknown>[];
}

/** A payment card number (a test Visa): whatever carries it must be refused and never kept. */
export const CANARY_PAN = '4111111111111111';

const HOSTILE: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e300,
  -1e300,
  '',
  ' ',
  'x'.repeat(5_000),
  'a\u0000b',
  'a\uD800',
  '\uDFFF',
  '😀',
  CANARY_PAN,
  `paid ${CANARY_PAN.replace(/(\d{4})/g, '$1 ').trim()}`,
  '9800000000009061',
  '2026-02-30',
  '2026-11-20T17:42:10',
  [],
  [[]],
  {},
  { constructor: { prototype: {} } },
  [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],
];

function resolve(schema: Schema, doc: OpenApiDocument): Schema {
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() as string;
    return resolve(doc.components?.schemas?.[name] ?? {}, doc);
  }
  if (schema.allOf) {
    return schema.allOf
      .map((part) => resolve(part, doc))
      .reduce((all, part) => ({
        ...all,
        ...part,
        properties: { ...all.properties, ...part.properties },
      }));
  }
  return schema;
}

/** The schema's example most of the time, so that requests get past the first check. */
function oftenExample(
  example: fc.Arbitrary<unknown>[],
  ...others: fc.Arbitrary<unknown>[]
): fc.Arbitrary<unknown> {
  return fc.oneof(
    ...example.map((arbitrary) => ({ weight: 20, arbitrary })),
    ...others.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}

function shaped(schema: Schema, doc: OpenApiDocument, depth: number): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  if (s.enum) return fc.constantFrom(...s.enum);
  const example = s.example !== undefined ? [fc.constant(s.example)] : [];
  switch (s.type) {
    case 'object': {
      if (!s.properties || depth > 6) return fc.constant({});
      const properties = Object.fromEntries(
        Object.entries(s.properties).map(([name, child]) => [name, value(child, doc, depth + 1)]),
      );
      return fc.record(properties, { requiredKeys: s.required ?? [] });
    }
    case 'array':
      if (!s.items || depth > 6) return fc.constant([]);
      // Mostly one element: the examples then add up (a line's amount is the total's).
      return fc.oneof(
        { weight: 5, arbitrary: fc.tuple(value(s.items, doc, depth + 1)) },
        { weight: 1, arbitrary: fc.array(value(s.items, doc, depth + 1), { maxLength: 3 }) },
      );
    case 'string':
      return oftenExample(example, fc.string({ maxLength: 20 }));
    case 'integer':
      return oftenExample(example, fc.integer(), fc.constant((s.maximum ?? 1e9) + 1));
    case 'number':
      return oftenExample(example, fc.double({ noNaN: true }));
    case 'boolean':
      return fc.boolean();
    default:
      return example[0] ?? fc.constant(null);
  }
}

function value(schema: Schema, doc: OpenApiDocument, depth: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 60, arbitrary: shaped(schema, doc, depth) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) },
  );
}

/** A JSON body for `schema`: usually close to the contract, hostile somewhere. */
export function bodyFor(schema: Schema, doc: OpenApiDocument): fc.Arbitrary<unknown> {
  return value(schema, doc, 0);
}

/** A value for a path or query parameter. */
export function parameterValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.uuid(),
    fc.string({ maxLength: 40 }),
    fc.constantFrom(CANARY_PAN, '..%2F..', '%00', "'; DROP TABLE x; --", 'x'.repeat(2_000)),
  );
}
