import { readFileSync } from 'node:fs';

export interface MeteredProcess {
  name: string;
  pid: number | undefined;
}

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream build). */
const ticksPerSecond = 100;

/** User plus system CPU of one process so far, in ms; undefined once it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** Three significant digits, whether it is a session's 120 ms or a message's 0.154 ms. */
const fmtMs = (ms: number): string => ms.toPrecision(3);

/** CPU time every process on the machine has spent so far, in ms (all cores summed). */
function machineBusyMs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu  user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
    const [, user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>(
      (a, b) => a + (b ?? 0),
      0,
    );
    return (busy * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * CPU time each process of a run spends during a measured row, read from
 * /proc (so Linux only: elsewhere the row has no CPU line). Says which
 * process a rate is bound by, which a rate alone cannot. The machine's
 * total (every process, the benchmark's included) says whether the row was
 * bound by the cores at all.
 */
export function cpuMeter(processes: MeteredProcess[]) {
  const all = [{ name: 'benchmark', pid: process.pid }, ...processes];
  const read = () =>
    new Map([
      ...all.map(({ name, pid }) => [name, pid === undefined ? undefined : cpuMs(pid)] as const),
      ['machine', machineBusyMs()] as const,
    ]);
  return {
    start() {
      const before = read();
      const started = performance.now();
      return {
        /** Each process's ms of CPU per unit of work, and its share of a core, as one line. */
        per(units: number): string {
          const after = read();
          const wallMs = performance.now() - started;
          return [...all.map(({ name }) => name), 'machine']
            .flatMap((name) => {
              const a = before.get(name);
              const b = after.get(name);
              if (a === undefined || b === undefined) return [];
              const ms = b - a;
              const share = ms / wallMs;
              return [
                name === 'machine'
                  ? `machine ${fmtMs(ms / units)} ms (${share.toFixed(2)} cores busy)`
                  : `${name} ${fmtMs(ms / units)} ms (${(100 * share).toFixed(0)}% of a core)`,
              ];
            })
            .join(', ');
        },
      };
    },
  };
}
