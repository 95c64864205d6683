import { z } from 'zod';
import { routingPolicySchema } from './routing-rules';

/**
 * A tenant's reception flow: robot, routing, queue limits, timeouts, rating
 * and the texts the shopper sees. A session snapshots the flow once at start
 * and keeps that snapshot for its whole life (DESIGN.md §4), so editing a
 * flow never changes a live session. Every field has a default, so a stored
 * flow written by an older release still parses.
 */

export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];

const minutes = (n: number) => n * 60_000;
const duration = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * Texts in one locale. `{position}`, `{wait}`, `{minutes}`, `{agent}` are filled in when sent;
 * `{agent}` is the name the admin gave the agent (their id when they have none).
 */
export const templatesSchema = z.strictObject({
  greeting: z.string().min(1).max(2_000),
  noAnswer: z.string().min(1).max(500),
  suggestions: z.string().min(1).max(500),
  handover: z.string().min(1).max(500),
  queued: z.string().min(1).max(500),
  queuedWithWait: z.string().min(1).max(500),
  offHours: z.string().min(1).max(500),
  leaveMessage: z.string().min(1).max(500),
  leaveMessageThanks: z.string().min(1).max(500),
  agentJoined: z.string().min(1).max(500),
  transferred: z.string().min(1).max(500),
  idleWarning: z.string().min(1).max(500),
  idleClosed: z.string().min(1).max(500),
  closed: z.string().min(1).max(500),
  ratingInvite: z.string().min(1).max(500),
  ratingThanks: z.string().min(1).max(500),
  /** The agent stayed silent (flow `silentAgent`), and the session goes back to its group. */
  agentSilentReoffer: z.string().min(1).max(500),
  /** The agent stayed silent, and a supervisor was alerted. */
  agentSilentAlert: z.string().min(1).max(500),
  /** A supervisor joined the chat (they may write in it from then on). */
  supervisorJoined: z.string().min(1).max(500),
});
export type Templates = z.infer<typeof templatesSchema>;

export const defaultTemplates: Record<Locale, Templates> = {
  'zh-CN': {
    greeting: '您好，欢迎光临！请问有什么可以帮您？',
    noAnswer: '抱歉，我没有理解您的问题。您可以换个说法，或输入“人工”联系客服。',
    suggestions: '您可能想问：',
    handover: '正在为您转接人工客服，请稍候。',
    queued: '您前面还有 {position} 位顾客在排队，请稍候。',
    queuedWithWait: '您前面还有 {position} 位顾客在排队，预计等待约 {wait} 分钟。',
    offHours: '现在是非工作时间，客服暂时无法接待。',
    leaveMessage: '您可以留言，我们会尽快联系您。',
    leaveMessageThanks: '留言已收到，我们会尽快联系您。',
    agentJoined: '客服 {agent} 为您服务。',
    transferred: '您的会话已转接给 {agent}。',
    idleWarning: '您已经有一段时间没有回复了，会话将在 {minutes} 分钟后自动结束。',
    idleClosed: '由于长时间未回复，本次会话已结束。',
    closed: '本次会话已结束，感谢您的咨询。',
    ratingInvite: '请为本次服务评分。',
    ratingThanks: '感谢您的评价！',
    agentSilentReoffer: '抱歉让您久等了，正在为您安排其他客服。',
    agentSilentAlert: '抱歉让您久等了，客服马上为您服务。',
    supervisorJoined: '客服主管已加入会话。',
  },
  en: {
    greeting: 'Hello and welcome! How can we help you today?',
    noAnswer: 'Sorry, I did not understand. Try other words, or type "agent" to talk to a person.',
    suggestions: 'You may want to ask:',
    handover: 'Connecting you to a person, one moment please.',
    queued: 'You are number {position} in the queue.',
    queuedWithWait: 'You are number {position} in the queue; about {wait} min to wait.',
    offHours: 'We are outside our working hours right now.',
    leaveMessage: 'Leave us a message and we will get back to you.',
    leaveMessageThanks: 'Thank you, we have your message and will get back to you.',
    agentJoined: '{agent} is here to help you.',
    transferred: 'Your chat has been transferred to {agent}.',
    idleWarning: 'Are you still there? This chat will close in {minutes} min.',
    idleClosed: 'This chat was closed because there was no reply.',
    closed: 'This chat has ended. Thank you for contacting us.',
    ratingInvite: 'How did we do? Please rate this chat.',
    ratingThanks: 'Thank you for your rating!',
    agentSilentReoffer: 'Sorry for the wait. We are finding another agent to help you.',
    agentSilentAlert: 'Sorry for the wait. Someone will be with you shortly.',
    supervisorJoined: 'A supervisor has joined the chat.',
  },
};

/**
 * What happens when the assigned agent leaves the shopper unanswered for
 * `afterMinutes` (counted from the assignment or the shopper's latest
 * message, whichever is later; an agent reply stops the count): `reoffer`
 * gives the session back to its group (the silent agent's seat is freed and
 * the agent is not offered it again), `alert` tells the tenant's supervisors
 * and leaves the session where it is. Either way the shopper is told once per
 * silence and a `session.agent_silent` event is recorded. Off when absent.
 */
export const silentAgentSchema = z.strictObject({
  afterMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  action: z.enum(['reoffer', 'alert']).default('reoffer'),
});
export type SilentAgent = z.infer<typeof silentAgentSchema>;

export const leaveMessageFieldSchema = z.strictObject({
  name: z.enum(['name', 'phone', 'email', 'orderRef']),
  required: z.boolean().default(false),
});

export const flowSchema = z.strictObject({
  locale: z.enum(locales).default('zh-CN'),
  robot: z
    .strictObject({
      enabled: z.boolean().default(true),
      handoverKeywords: z
        .array(z.string().trim().min(1).max(40))
        .max(30)
        .default(['人工', '转人工', '人工客服', 'agent', 'human', 'real person']),
      /** Consecutive unanswered questions after which the robot hands over on its own. */
      missLimit: z.number().int().min(1).max(10).default(2),
      /** Least match score (0–1) for the robot to answer with an FAQ entry. */
      answerThreshold: z.number().min(0.05).max(1).default(0.35),
    })
    .prefault({}),
  routing: routingPolicySchema.prefault({ defaultGroupId: 'default' }),
  queue: z
    .strictObject({
      /** A session arriving at a queue this long (or longer) overflows. */
      maxLength: z.number().int().min(1).max(10_000).default(50),
      /** A session waiting this long overflows. */
      maxWaitMs: duration(minutes(1), minutes(24 * 60)).default(minutes(10)),
      /** Least interval between two queue-position notices to the shopper. */
      positionNoticeMs: duration(1_000, minutes(10)).default(10_000),
      /** Sticky routing: a returning shopper's previous agent is tried first within this window (0: off). */
      stickyWindowMs: duration(0, minutes(30 * 24 * 60)).default(0),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      robotIdleMs: duration(minutes(1), minutes(24 * 60)).default(minutes(10)),
      /** How long an agent has to accept an offered session (reservation groups). */
      reservationMs: duration(5_000, minutes(10)).default(60_000),
      /** After an agent misses an offer, set them away. */
      awayAfterMissedOffer: z.boolean().default(true),
      firstResponseSlaMs: duration(5_000, minutes(60)).default(60_000),
      /** Shopper silence after an agent reply before the warning. */
      idleWarnMs: duration(30_000, minutes(24 * 60)).default(minutes(3)),
      /** Further shopper silence after the warning before the session closes. */
      idleCloseMs: duration(30_000, minutes(24 * 60)).default(minutes(2)),
      ratingWindowMs: duration(minutes(1), minutes(7 * 24 * 60)).default(minutes(24 * 60)),
      leaveMessageWindowMs: duration(minutes(1), minutes(24 * 60)).default(minutes(30)),
    })
    .prefault({}),
  rating: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
  silentAgent: silentAgentSchema.optional(),
  leaveMessageForm: z
    .array(leaveMessageFieldSchema)
    .max(4)
    .default([{ name: 'phone', required: false }]),
  templates: z
    .strictObject({
      'zh-CN': templatesSchema.partial().default({}),
      en: templatesSchema.partial().default({}),
    })
    .prefault({}),
});

export type FlowInput = z.input<typeof flowSchema>;
export type Flow = z.output<typeof flowSchema>;

export const defaultFlow: Flow = flowSchema.parse({});

/** What a running session keeps for its whole life: the flow with its texts resolved to one locale. */
export type FlowSnapshot = Omit<Flow, 'templates'> & {
  templates: Templates;
  /** Which stored version this is; absent in snapshots taken before flows had versions. */
  flowVersion?: number;
  /**
   * Set when the tenant's bot hook was active as the session opened
   * (domain/bot-hook.ts): the robot asks the bot first, within `timeoutMs`.
   * Only the deadline: the URL and secret stay in the hook's own store.
   */
  botHook?: { timeoutMs: number };
};

export function snapshotFlow(flow: Flow): FlowSnapshot {
  return {
    ...flow,
    templates: { ...defaultTemplates[flow.locale], ...flow.templates[flow.locale] },
  };
}

export { fillTemplate } from './templates';
