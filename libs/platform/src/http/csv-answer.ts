import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';

/** A table's column: its header and how a row gives its cell. */
export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null;
}

/**
 * Answers `rows` as a CSV download (RFC 4180, a header row, UTF-8): sets the reply's type and
 * file name and gives the text to send. A cell that a spreadsheet would run as a formula
 * (starting with =, +, -, @) is quoted to stay text.
 */
export function csvAnswer<Row>(
  reply: FastifyReply,
  fileName: string,
  columns: readonly CsvColumn<Row>[],
  rows: readonly Row[],
): string {
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${fileName}.csv"`);
  return stringify(
    rows.map((row) => columns.map((column) => column.value(row) ?? '')),
    { header: true, columns: columns.map((c) => c.header), escape_formulas: true },
  );
}
