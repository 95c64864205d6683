import { outreachDecision } from '../../domain/outreach';

const hours = (n: number) => n * 60 * 60 * 1000;
const started = new Date('2025-03-01T08:00:00Z');

describe('proactive outreach rule', () => {
  it('when the customer consulted 71 hours ago, then outreach is allowed until 72 hours after', () => {
    const decision = outreachDecision(started, new Date(started.getTime() + hours(71)));
    expect(decision).toEqual({
      allowed: true,
      lastConsultationAt: started,
      allowedUntil: new Date(started.getTime() + hours(72)),
    });
  });

  it('when the customer consulted 73 hours ago, then outreach is refused with the reason', () => {
    const decision = outreachDecision(started, new Date(started.getTime() + hours(73)));
    expect(decision).toMatchObject({ allowed: false, reason: 'window_passed' });
  });

  it('when the customer never consulted, then outreach is refused', () => {
    expect(outreachDecision(undefined, started)).toMatchObject({
      allowed: false,
      reason: 'no_consultation',
    });
  });
});
