import { z } from 'zod';
import { priorityRange } from '../domain/routing-rules';
import { opaqueId } from '../domain/session';
import { check, type Decisions } from './decide';
import { routingKeys } from './keys';

export const enqueueSchema = z.strictObject({
  sessionId: opaqueId,
  groupId: opaqueId,
  priority: z.number().int().min(priorityRange.min).max(priorityRange.max),
  /** Epoch ms when the session first queued; kept across re-asserts so order survives. */
  enqueuedAt: z.number().int().min(0),
  /** Sticky routing: the shopper's previous agent, tried first. */
  preferredAgentId: opaqueId.optional(),
});
export type EnqueueRequest = z.infer<typeof enqueueSchema>;

/** Where a routed session went: to an agent, or into a queue. */
export type Placement =
  { status: 'assigned'; agentId: string } | { status: 'queued'; position: number };

/** An enqueue's answer: placed, or refused because the group's queue was already full. */
export type EnqueueResult = Placement | { status: 'full'; length: number };

export interface QueuePosition {
  groupId: string;
  position: number;
  /** Undefined until the group has made at least two assignments recently. */
  estimatedWaitMs?: number;
}

/** A session waiting for a person: placed, taken out, and where it stands. */
export function queueDecisions({ redis, now, scripts }: Decisions) {
  /**
   * Assigns the session to the best agent with room, or queues it; given a
   * `maxLength`, a newcomer to a queue already that long is refused ('full')
   * and nothing is written, checked in the script itself so concurrent
   * arrivals cannot overfill the queue. Safe to repeat.
   */
  function enqueue(tenantId: string, request: EnqueueRequest): Promise<Placement>;
  function enqueue(
    tenantId: string,
    request: EnqueueRequest,
    maxLength: number,
  ): Promise<EnqueueResult>;
  async function enqueue(
    tenantId: string,
    request: EnqueueRequest,
    maxLength?: number,
  ): Promise<EnqueueResult> {
    const r = check(enqueueSchema, request, 'request');
    if (maxLength !== undefined) check(z.number().int().min(0), maxLength, 'maxLength');
    const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
    const reply = z
      .tuple([z.enum(['assigned', 'queued', 'full']), z.union([z.string(), z.number()])])
      .parse(
        await scripts.enqueue(redis, keys.queue(r.groupId), [
          keys.prefix,
          r.sessionId,
          r.groupId,
          String(r.priority),
          String(r.enqueuedAt),
          String(now()),
          r.preferredAgentId ?? '',
          maxLength === undefined ? '' : String(maxLength),
        ]),
      );
    if (reply[0] === 'full') return { status: 'full', length: Number(reply[1]) };
    return reply[0] === 'assigned'
      ? { status: 'assigned', agentId: String(reply[1]) }
      : { status: 'queued', position: Number(reply[1]) };
  }

  /**
   * A waiting session's 1-based place in its group's queue and, once the
   * group has a recent assignment rate, the estimated wait (place × the
   * mean interval between its last 20 assignments). Undefined when not
   * waiting.
   */
  async function queuePosition(
    tenantId: string,
    sessionId: string,
  ): Promise<QueuePosition | undefined> {
    const keys = routingKeys(tenantId);
    const groupId = await redis.hGet(keys.ticket(sessionId), 'groupId');
    if (!groupId) return undefined;
    const [rank, recent] = await Promise.all([
      redis.zRank(keys.queue(groupId), sessionId),
      redis.lRange(keys.assignedAt(groupId), 0, -1),
    ]);
    if (rank === null) return undefined;
    const times = recent.map(Number);
    const newest = times[0];
    const oldest = times[times.length - 1];
    const interval =
      times.length >= 2 && newest !== undefined && oldest !== undefined
        ? (newest - oldest) / (times.length - 1)
        : undefined;
    const position = rank + 1;
    return {
      groupId,
      position,
      estimatedWaitMs: interval === undefined ? undefined : Math.round(position * interval),
    };
  }

  return {
    enqueue,
    queuePosition,

    /** Takes a waiting session out of its queue (gave up, overflowed). True if it was queued. */
    async cancel(tenantId: string, sessionId: string): Promise<boolean> {
      const keys = routingKeys(check(opaqueId, tenantId, 'tenantId'));
      check(opaqueId, sessionId, 'sessionId');
      return (await scripts.cancel(redis, keys.ticket(sessionId), [keys.prefix, sessionId])) === 1;
    },

    /** 1-based place in its group's queue, or undefined when not waiting. */
    async position(tenantId: string, sessionId: string): Promise<number | undefined> {
      return (await queuePosition(tenantId, sessionId))?.position;
    },

    async queueLength(tenantId: string, groupId: string): Promise<number> {
      return redis.zCard(routingKeys(tenantId).queue(groupId));
    },

    /** When the routed session entered its (last) queue, epoch ms; undefined once it left routing. */
    async enqueuedAt(tenantId: string, sessionId: string): Promise<number | undefined> {
      const at = await redis.hGet(routingKeys(tenantId).ticket(sessionId), 'enqueuedAt');
      return at ? Number(at) : undefined;
    },
  };
}
