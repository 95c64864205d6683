import { readFileSync } from 'node:fs';

export interface MeteredProcess {
  name: string;
  pid: number | undefined;
}

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream build). */
const ticksPerSecond = 100;

/** User plus system CPU of one process so far, in ms; undefined once it is gone. */
function cpuMs(pid: number): number | undefined {
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

/**
 * CPU time each process of a run spends during a measured row, read from
 * /proc (so Linux only: elsewhere the row has no CPU line). Says which
 * process a rate is bound by, which a rate alone cannot.
 */
export function cpuMeter(processes: MeteredProcess[]) {
  const all = [{ name: 'benchmark', pid: process.pid }, ...processes];
  const read = () =>
    new Map(all.map(({ name, pid }) => [name, pid === undefined ? undefined : cpuMs(pid)]));
  return {
    start() {
      const before = read();
      const started = performance.now();
      return {
        /** Each process's ms of CPU per unit of work, and its share of a core, as one line. */
        per(units: number): string {
          const after = read();
          const wallMs = performance.now() - started;
          return all
            .flatMap(({ name }) => {
              const a = before.get(name);
              const b = after.get(name);
              if (a === undefined || b === undefined) return [];
              const ms = b - a;
              return [
                `${name} ${(ms / units).toFixed(1)} ms (${((100 * ms) / wallMs).toFixed(0)}% of a core)`,
              ];
            })
            .join(', ');
        },
      };
    },
  };
}
