import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './apps';
import { freePort } from './free-port';

const ROOT = join(__dirname, '..', '..');

export type AppName = 'pos-ingest' | 'loyalty-api' | 'coupon-engine';

/**
 * One app as its own process, started from the sources as `npm run start:*` would run it, its
 * whole log (every level) in a file a test can search: what a request leaves in the logs.
 */
export class AppProcess {
  private constructor(
    readonly name: AppName,
    readonly url: string,
    private readonly logFile: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(name: AppName, env: Record<string, string> = {}): Promise<AppProcess> {
    const port = await freePort();
    const logFile = join(tmpdir(), `${name}-${process.pid}-${Date.now()}.log`);
    const log = openSync(logFile, 'w');
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        `apps/${name}/src/main.ts`,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'trace', ...env, PORT: String(port) },
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    const app = new AppProcess(name, `http://127.0.0.1:${port}`, logFile, child);
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${app.log().slice(-2_000)}`);
      return (await fetch(`${app.url}/health/ready`)).ok;
    }, 90_000);
    return app;
  }

  /** Everything the process has logged so far. */
  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await once(this.child, 'exit');
    }
    rmSync(this.logFile, { force: true });
  }
}
