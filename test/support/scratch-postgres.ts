import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

// PostgreSQL refuses to run as root; on our machines tests run as root, so the server runs as the
// `postgres` system user the Debian package creates.
const asRoot = process.getuid?.() === 0;

function binary(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  return join('/usr/lib/postgresql', versions[versions.length - 1], 'bin', name);
}

function run(name: string, args: string[]): void {
  const [command, commandArgs] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', binary(name), ...args]]
    : [binary(name), args];
  execFileSync(command, commandArgs, { stdio: 'pipe' });
}

/**
 * A PostgreSQL server of its own, in a temporary directory, for tests that stop and restart the
 * database: the shared server of the test run must stay up for the other tests.
 */
export class ScratchPostgres {
  private constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<ScratchPostgres> {
    const dataDir = mkdtempSync(join(tmpdir(), 'scratch-pg-'));
    if (asRoot) {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
      chownSync(dataDir, id('-u'), id('-g'));
    }
    run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const server = new ScratchPostgres(dataDir, await freePort());
    server.start();
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    // No fsync: the data is thrown away; a stop with `-m immediate` still loses nothing committed
    // to the server, which is what the tests rely on.
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dataDir} -c fsync=off`;
    run('pg_ctl', [
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      join(this.dataDir, 'log'),
      '-w',
      'start',
    ]);
  }

  /** Stops the server at once, as a crash would: clients lose their connections mid-transaction. */
  crash(): void {
    run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.crash();
    } catch {
      // Already stopped.
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
