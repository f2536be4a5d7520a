import { randomUUID } from 'node:crypto';
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { eventually } from './apps';

const ROOT = join(__dirname, '..', '..');

export interface LogLine {
  level: number;
  msg: string;
  pid: number;
  [field: string]: unknown;
}

/**
 * A pos-ingest process of its own (HTTP intake and projector), started from the sources, so a
 * test can kill it (SIGKILL), freeze it (SIGSTOP) or run several side by side. Its JSON log goes to
 * a file the test reads: which partitions it holds, what each batch projected.
 */
export class ProjectorProcess {
  private readonly logFile: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<NodeJS.Signals | number | null>;

  private readonly groupId: string;

  constructor(env: Record<string, string>) {
    this.groupId = env.PROJECTOR_GROUP_ID ?? 'pos-ingest.projector';
    this.logFile = join(tmpdir(), `projector-${process.pid}-${Date.now()}-${Math.random()}.log`);
    const log = openSync(this.logFile, 'w');
    this.child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/pos-ingest/src/main.ts',
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PORT: '0',
          LOG_LEVEL: 'debug',
          // A group of its own for the key copy (see startPosIngest): processes here come and go.
          TERMINAL_KEYS_GROUP_ID: `pos-ingest.terminal-keys.test-${randomUUID()}`,
          HOUSEHOLDS_GROUP_ID: `pos-ingest.households.test-${randomUUID()}`,
          ERASURES_GROUP_ID: `pos-ingest.erasures.test-${randomUUID()}`,
          ...env,
        },
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    this.exited = once(this.child, 'exit').then(([code, signal]) => signal ?? code);
  }

  logs(): LogLine[] {
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** The partitions of the topic assigned at each join of the group, oldest first. */
  assignments(): number[][] {
    return (
      this.logs()
        // The process's other groups (the terminal keys' copy) join too: only the projector's count.
        .filter((l) => l.msg === 'Joined consumer group' && l.groupId === this.groupId)
        .map((l) => l.partitions as number[])
    );
  }

  /** Resolves once the process has joined its consumer group. */
  async joined(timeoutMs = 60_000): Promise<void> {
    await eventually(async () => {
      if (this.child.exitCode !== null) {
        throw new Error(`projector exited: ${readFileSync(this.logFile, 'utf8').slice(-2_000)}`);
      }
      return this.assignments().length > 0;
    }, timeoutMs);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kills the process without a chance to clean up, as a power cut or the OOM killer would. */
  async kill(): Promise<NodeJS.Signals | number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Stops it gracefully (SIGTERM: leaves the group, closes connections) and removes its log. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGCONT');
      this.child.kill('SIGTERM');
      await this.exited;
    }
    if (!process.env.KEEP_PROJECTOR_LOGS) rmSync(this.logFile, { force: true });
  }
}
