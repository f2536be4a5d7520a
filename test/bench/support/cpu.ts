import { readFileSync, readdirSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { AppProcess } from '../../support/app-process';

// The CPU each process of a bench used: read from /proc, PostgreSQL's as its processes serving
// the bench's database.

// USER_HZ: /proc reports CPU time in these ticks on Linux.
const CLOCK_TICKS_PER_S = 100;

/** CPU time a process has used so far (user + system), in ms; null once it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

/** The process of an app this bench started (AppProcess keeps its child to itself). */
export function appPid(app: AppProcess): number {
  const pid = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .find((entry) => {
      try {
        const ppid = Number(
          readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1],
        );
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        return ppid === process.pid && cmdline.includes(`apps/${app.name}/src/main.ts`);
      } catch {
        return false;
      }
    });
  if (!pid) throw new Error(`no process of ${app.name}`);
  return Number(pid);
}

/** The machine's CPU ms so far: in processes, in interrupts (the loopback's packets), stolen. */
function machineMs(): { tasks: number; irq: number; steal: number } {
  // cpu  user nice system idle iowait irq softirq steal ...
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
  const ms = (t: number) => (t * 1000) / CLOCK_TICKS_PER_S;
  return { tasks: ms(user + nice + system), irq: ms(irq + softirq), steal: ms(steal) };
}

export interface CpuSnapshot {
  /** CPU ms so far of each named process; PostgreSQL's of each of its processes. */
  named: Map<string, Map<number, number>>;
  machine: { tasks: number; irq: number; steal: number };
}

/**
 * What the processes of the run have used so far: each named one, and PostgreSQL's processes
 * serving this database (its backends and the server's background processes, not the backends of
 * other databases on the machine).
 */
export async function cpuSnapshot(
  ds: DataSource,
  named: ReadonlyMap<string, number>,
): Promise<CpuSnapshot> {
  const backends: { pid: number }[] = await ds.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL`,
  );
  const snapshot = new Map<string, Map<number, number>>();
  for (const [name, pids] of [
    ...[...named].map(([name, pid]) => [name, [pid]] as const),
    ['PostgreSQL', backends.map((b) => b.pid)] as const,
  ]) {
    const used = pids.map((pid) => [pid, cpuMs(pid)] as const);
    snapshot.set(name, new Map(used.filter((u): u is [number, number] => u[1] !== null)));
  }
  return { named: snapshot, machine: machineMs() };
}

/**
 * CPU ms of each process between two snapshots (a process started meanwhile counts from 0, one
 * gone meanwhile is not counted), then `others`: the rest of the machine's time in processes
 * (other work on these cores), `irq` and `steal`.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const used = new Map(
    [...after.named].map(([name, pids]) => {
      let ms = 0;
      for (const [pid, now] of pids) {
        const then = before.named.get(name)?.get(pid) ?? 0;
        // A new process with the number of one gone meanwhile.
        ms += now >= then ? now - then : now;
      }
      return [name, ms];
    }),
  );
  const ours = [...used.values()].reduce((sum, ms) => sum + ms, 0);
  used.set('others', Math.max(0, after.machine.tasks - before.machine.tasks - ours));
  used.set('irq', after.machine.irq - before.machine.irq);
  used.set('steal', after.machine.steal - before.machine.steal);
  return used;
}
