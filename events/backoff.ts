/**
 * When a failed delivery is tried again: after `baseMs`, then twice as long
 * each time, never more than `maxMs` apart, for `windowMs` after its first
 * attempt; then it is marked failed. With the defaults (10 s, 1 h, 24 h):
 * 10 s, 20 s, 40 s … about 1 h apart from the ninth attempt on, some 30
 * attempts over the day.
 */
export interface RetrySchedule {
  baseMs: number;
  maxMs: number;
  windowMs: number;
}

/** The next attempt's time after `attempts` failed ones, or undefined when the window is over. */
export function nextAttemptAt(
  schedule: RetrySchedule,
  firstAttemptAt: Date,
  attempts: number,
  now: Date,
): Date | undefined {
  const giveUpAt = firstAttemptAt.getTime() + schedule.windowMs;
  if (now.getTime() >= giveUpAt) return undefined;
  const delay = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.min(attempts - 1, 40));
  // The last attempt is at the window's end, so a receiver back just before it still gets it.
  return new Date(Math.min(now.getTime() + delay, giveUpAt));
}
