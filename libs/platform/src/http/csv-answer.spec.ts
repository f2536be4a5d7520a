import type { FastifyReply } from 'fastify';
import { csvAnswer } from './csv-answer';

describe('csvAnswer', () => {
  it('writes a header and the rows, quotes what needs it, and names the download', () => {
    const headers: Record<string, string> = {};
    const reply = {
      header: (name: string, value: string) => {
        headers[name] = value;
        return reply;
      },
    } as unknown as FastifyReply;
    const text = csvAnswer(
      reply,
      'sales',
      [
        { header: 'store', value: (r: { store: string; cents: number | null }) => r.store },
        { header: 'cents', value: (r) => r.cents },
      ],
      [
        { store: 'a,b', cents: -5 },
        { store: '=HYPERLINK("x")', cents: null },
      ],
    );
    expect(text).toBe('store,cents\n"a,b",-5\n"\'=HYPERLINK(""x"")",\n');
    expect(headers).toEqual({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="sales.csv"',
    });
  });
});
