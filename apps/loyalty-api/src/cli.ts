import { isCalendarDate } from '@loyalty/domain';
import { JwtService } from '@nestjs/jwt';
import { JWT_ISSUER, Role, STAFF_AND_SHOPPER_ROLES, postgresOptions } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { parseArgs } from 'node:util';
import { loyaltyApiDatabase } from './database/data-source';
import { ReportSumsQueries } from './reports/report-sums.queries';
import { recountSalesDays } from './reports/reports-refresh.job';
import { createTerminalKey, revokeTerminalKey } from './terminals/create-terminal-key';

const USAGE = `Usage:
  loyalty-cli terminal-key --store <storeId> --terminal <terminalId>   create a POS terminal API key (needs DATABASE_URL)
  loyalty-cli terminal-key-revoke --key-id <keyId>                     revoke one for good (the id is the key's tk_<keyId>_ part)
  loyalty-cli token --role <role> --subject <id> [--expires-in 8h]     sign a development JWT (needs JWT_SECRET)
  loyalty-cli reports-recount --from <YYYY-MM-DD> --to <YYYY-MM-DD>   recount the reports' sales sums of those business days,
                                                                      e.g. after loading sales older than REPORTS_RECOMPUTE_DAYS (needs DATABASE_URL)
Every command also takes --env-file <path>: settings read from a file of NAME=value lines
(e.g. .demo/demo.env, written by npm run demo); variables already set in the environment win.
Roles: ${STAFF_AND_SHOPPER_ROLES.join(', ')}`;

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function withDatabase<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await new DataSource(
    postgresOptions({
      ...loyaltyApiDatabase,
      databaseUrl: requireEnv('DATABASE_URL'),
      applicationName: 'loyalty-cli',
    }),
  ).initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function main(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      store: { type: 'string' },
      terminal: { type: 'string' },
      role: { type: 'string' },
      subject: { type: 'string' },
      'expires-in': { type: 'string', default: '8h' },
      'env-file': { type: 'string' },
      'key-id': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  // The running demo's random JWT secret and its database are only in its settings file.
  if (values['env-file']) process.loadEnvFile(values['env-file']);
  if (command === 'terminal-key' && values.store && values.terminal) {
    const { store, terminal } = values;
    return withDatabase((dataSource) => createTerminalKey(dataSource, store, terminal));
  }
  if (command === 'terminal-key-revoke' && values['key-id']) {
    const keyId = values['key-id'];
    const revoked = await withDatabase((dataSource) => revokeTerminalKey(dataSource, keyId));
    if (!revoked) throw new Error(`No terminal key ${keyId} that is not revoked already`);
    return `Revoked ${keyId}: the apps refuse it within 30 s`;
  }
  if (command === 'reports-recount' && values.from && values.to) {
    const { from, to } = values;
    if (!isCalendarDate(from) || !isCalendarDate(to) || from > to)
      throw new Error('--from and --to must be days YYYY-MM-DD, --from not after --to');
    await withDatabase((dataSource) =>
      recountSalesDays(dataSource, new ReportSumsQueries(), from, to),
    );
    return `Recounted the sales sums of ${from} to ${to}`;
  }
  if (
    command === 'token' &&
    values.subject &&
    STAFF_AND_SHOPPER_ROLES.includes(values.role as Role)
  ) {
    const jwt = new JwtService({ secret: requireEnv('JWT_SECRET') });
    return jwt.sign(
      { roles: [values.role] },
      {
        subject: values.subject,
        issuer: JWT_ISSUER,
        expiresIn: values['expires-in'] as `${number}h`,
        algorithm: 'HS256',
      },
    );
  }
  throw new Error(USAGE);
}

main(process.argv.slice(2)).then(
  (output) => console.log(output),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
