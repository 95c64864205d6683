import { performance } from 'node:perf_hooks';

/**
 * One shopper→agent pair as a load driver sees it, whatever serves it (the
 * engine's gateway or the raw relay): `send` resolves when the sender's ack
 * arrives (true when it was accepted), and `onReceived` is called by the
 * agent's socket with the client id of each message it gets (one handler at
 * a time: a new run replaces the last one's).
 */
export interface Pair {
  send(clientMsgId: string): Promise<boolean>;
  onReceived(handler: (clientMsgId: string) => void): void;
}

/** Wires a socket's received ids to whichever handler the current run set. */
export function pairOf(
  send: Pair['send'],
  listen: (deliver: (clientMsgId: string) => void) => void,
): Pair {
  let handler: (clientMsgId: string) => void = () => undefined;
  listen((id) => handler(id));
  return {
    send,
    onReceived(next) {
      handler = next;
    },
  };
}

export interface LoadResult {
  /** Acked (for the engine: persisted) messages per second over the run. */
  ackedPerSecond: number;
  /** Send at the shopper → `message:new` at the agent, ms. */
  latencies: number[];
  acked: number;
  failed: number;
  /** Settles when every send of the run has its answer (or gave up after 30 s). */
  settled: Promise<unknown>;
  /** Acked but not seen by the agent two seconds after the run ended. */
  missing: number;
}

type Pace = { rate: number } | { inFlightPerPair: number };

let runNumber = 0;

/**
 * Drives the pairs for `seconds`, either open-loop at a fixed total rate
 * (sends are due on a schedule, whatever the acks do, so a slow server
 * shows as latency instead of hiding it) or closed-loop with a fixed number
 * of sends in flight per pair (saturation). Then waits briefly for stragglers.
 */
export async function drive(pairs: Pair[], pace: Pace, seconds: number): Promise<LoadResult> {
  const run = ++runNumber;
  const sentAt = new Map<string, number>();
  const ackedNotReceived = new Set<string>();
  const latencies: number[] = [];
  let acked = 0;
  let failed = 0;
  let lastAck = 0;
  let counter = 0;
  const received = (id: string) => {
    const at = sentAt.get(id);
    if (at === undefined) return;
    sentAt.delete(id);
    ackedNotReceived.delete(id);
    latencies.push(performance.now() - at);
  };
  pairs.forEach((pair) => pair.onReceived(received));

  const sendOne = async (pair: Pair) => {
    const id = `r${run}-m${counter++}`;
    sentAt.set(id, performance.now());
    const accepted = await pair.send(id).catch(() => false);
    if (accepted) {
      acked++;
      if (sentAt.has(id)) ackedNotReceived.add(id);
    } else {
      failed++;
      sentAt.delete(id);
    }
    lastAck = performance.now();
  };

  const pending: Promise<void>[] = [];
  const started = performance.now();
  const endAt = started + seconds * 1000;
  if ('rate' in pace) {
    let due = 0;
    while (performance.now() < endAt) {
      const shouldHaveSent = Math.floor(((performance.now() - started) / 1000) * pace.rate);
      for (; due < shouldHaveSent; due++) pending.push(sendOne(pairs[due % pairs.length]!));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // A server that fell behind would keep the run going for as long as its backlog
    // lasts; past a cap, what is still unanswered counts as failed.
    const capped = new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref());
    await Promise.race([Promise.all(pending), capped]);
    failed = pending.length - acked;
  } else {
    await Promise.all(
      pairs.flatMap((pair) =>
        Array.from({ length: pace.inFlightPerPair }, async () => {
          while (performance.now() < endAt) await sendOne(pair);
        }),
      ),
    );
  }
  const elapsed = (Math.max(lastAck, endAt) - started) / 1000;
  // Live delivery may trail the ack by a little; give it a moment before counting losses.
  for (let waited = 0; ackedNotReceived.size > 0 && waited < 2_000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  pairs.forEach((pair) => pair.onReceived(() => undefined));
  const missing = ackedNotReceived.size;
  const settled = Promise.all(pending);
  return { ackedPerSecond: acked / elapsed, latencies, acked, failed, missing, settled };
}
