import { Injectable } from '@nestjs/common';
import { Rule, RuleStatusV2 } from '@loyalty/domain';
import { DataSource } from 'typeorm';
import { RuleDto, RuleListDto, RuleListQueryDto } from './rules.dto';
import { fieldError } from './field-error';

interface Row {
  id: string;
  status: RuleStatusV2;
  version: number;
  revision: number;
  definition: Rule;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// The cursor is the last rule of a page, (created_at, id): creation times are whole
// milliseconds (the server's clock), so they round-trip through JavaScript exactly.
function encodeCursor(row: Row): string {
  return Buffer.from(`${row.created_at.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): [Date, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const date = new Date(at);
  // Only what encodeCursor writes: a year past 9999 would reach PostgreSQL in a form it refuses.
  if (id === undefined || !UUID.test(id) || !INSTANT.test(at) || Number.isNaN(date.getTime()))
    throw fieldError('cursor', 'must be a nextCursor this route answered');
  return [date, id];
}

/** `GET /v1/rules`: one page of rules with their current definitions, newest first. */
@Injectable()
export class RulesPageQuery {
  constructor(private readonly dataSource: DataSource) {}

  async read(query: RuleListQueryDto): Promise<RuleListDto> {
    const [after, afterId] = query.cursor ? decodeCursor(query.cursor) : [null, null];
    const rows: Row[] = await this.dataSource.query(
      `SELECT r.id, r.status, r.version, r.revision, v.definition, r.created_by, r.created_at,
              r.updated_at
         FROM loyalty.rules r
         JOIN loyalty.rule_versions v ON v.rule_id = r.id AND v.version = r.version
        WHERE ($1::text IS NULL OR r.status = $1)
          AND ($2::timestamptz IS NULL OR (r.created_at, r.id) < ($2, $3::uuid))
        ORDER BY r.created_at DESC, r.id DESC
        LIMIT $4`,
      [query.status ?? null, after, afterId, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    return {
      rules: page.map((row): RuleDto => ({
        id: row.id,
        status: row.status,
        version: row.version,
        revision: row.revision,
        rule: row.definition,
        createdBy: row.created_by,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      })),
      nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }
}
