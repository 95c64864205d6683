/**
 * Proactive outreach (主动触达): a merchant may message a customer first only
 * if that customer started a consultation within the last 3 days. Pure, so
 * the rule is tested at its edges without waiting 72 hours.
 */

export const outreachWindowMs = 72 * 60 * 60 * 1000;

export type OutreachDecision =
  | { allowed: true; lastConsultationAt: Date; allowedUntil: Date }
  | { allowed: false; reason: 'no_consultation' | 'window_passed'; message: string };

export function outreachDecision(
  lastConsultationAt: Date | undefined,
  now: Date,
): OutreachDecision {
  if (!lastConsultationAt) {
    return {
      allowed: false,
      reason: 'no_consultation',
      message:
        'The customer has never started a consultation; outreach needs one in the last 3 days',
    };
  }
  const allowedUntil = new Date(lastConsultationAt.getTime() + outreachWindowMs);
  if (now.getTime() > allowedUntil.getTime()) {
    return {
      allowed: false,
      reason: 'window_passed',
      message: `The customer's last consultation began at ${lastConsultationAt.toISOString()}, more than 3 days ago; outreach closed at ${allowedUntil.toISOString()}`,
    };
  }
  return { allowed: true, lastConsultationAt, allowedUntil };
}
