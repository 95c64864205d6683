import { readFileSync } from 'node:fs';
import type { MeteredProcess } from './cpu-meter';

/** A process's resident memory now and at its peak, in MiB, from /proc (Linux only). */
export function residentMiB(pid: number | undefined): { now: number; peak: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const now = kib('VmRSS');
    const peak = kib('VmHWM');
    if (!Number.isFinite(now)) return undefined;
    return { now: now / 1024, peak: (Number.isFinite(peak) ? peak : now) / 1024 };
  } catch {
    return undefined;
  }
}

/** `name 123 MiB (peak 140)` for each process that is still there, one line. */
export function residentLine(processes: MeteredProcess[]): string {
  return processes
    .flatMap(({ name, pid }) => {
      const rss = residentMiB(pid);
      return rss ? [`${name} ${rss.now.toFixed(0)} MiB (peak ${rss.peak.toFixed(0)})`] : [];
    })
    .join(', ');
}
