import { nextAttemptAt } from '../../events/backoff';
import { decodePosition, encodePosition, positionAt } from '../../events/feed';
import { sign, verify } from '../../events/signature';
import { isPrivateAddress, webhookUrlProblem } from '../../events/url-policy';

describe('webhook URL policy', () => {
  it.each([
    'http://127.0.0.1/x',
    'http://10.0.0.8/x',
    'http://172.20.1.1/x',
    'http://192.168.1.1/x',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/x',
    'http://0.0.0.0/x',
    'http://[::1]/x',
    'http://[fd00::1]/x',
    'http://[fe80::1]/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://localhost/x',
    'http://api.localhost/x',
    'http://intranet/x',
  ])(
    'when a URL names %s, then it is refused by default and allowed with private addresses on',
    (url) => {
      expect(webhookUrlProblem(url, false)).toMatch(/public/);
      expect(webhookUrlProblem(url, true)).toBeUndefined();
    },
  );

  it.each([
    ['ftp://example.com/x', /http/],
    ['javascript:alert(1)', /http/],
    ['not a url', /absolute/],
    ['https://user:pw@example.com/x', /password/],
    ['https://example.com/x#frag', /fragment/],
  ])('when a URL is %s, then it is refused whatever the private-address switch', (url, problem) => {
    expect(webhookUrlProblem(url, true)).toMatch(problem);
  });

  it('when a URL names a public host or address, then it is allowed', () => {
    expect(webhookUrlProblem('https://hooks.example.com/in?x=1', false)).toBeUndefined();
    expect(webhookUrlProblem('http://93.184.216.34:8080/in', false)).toBeUndefined();
    expect(isPrivateAddress('2606:4700::1111')).toBe(false);
  });
});

describe('webhook signatures', () => {
  it('when a body is signed, then the secret verifies it, and another secret, another body or an old timestamp does not', () => {
    const now = 1_800_000_000;
    const header = sign('whsec_a', '{"id":"evt_1"}', now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verify('whsec_a', '{"id":"evt_1"}', header, 300, now + 10)).toBe(true);
    expect(verify('whsec_b', '{"id":"evt_1"}', header, 300, now + 10)).toBe(false);
    expect(verify('whsec_a', '{"id":"evt_2"}', header, 300, now + 10)).toBe(false);
    expect(verify('whsec_a', '{"id":"evt_1"}', header, 300, now + 301)).toBe(false);
    expect(verify('whsec_a', '{"id":"evt_1"}', 'garbage', 300, now)).toBe(false);
  });
});

describe('webhook retry schedule', () => {
  it('when attempts keep failing, then waits double up to the cap and stop at the window’s end', () => {
    const schedule = { baseMs: 10_000, maxMs: 3_600_000, windowMs: 86_400_000 };
    const first = new Date(0);
    const after = (attempts: number, nowMs: number) =>
      nextAttemptAt(schedule, first, attempts, new Date(nowMs))?.getTime();
    expect(after(1, 0)).toBe(10_000);
    expect(after(2, 10_000)).toBe(30_000);
    expect(after(10, 1_000_000)).toBe(1_000_000 + 3_600_000);
    // The last retry lands on the window's end, then none.
    expect(after(30, 86_000_000)).toBe(86_400_000);
    expect(after(31, 86_400_000)).toBeUndefined();
  });
});

describe('event feed positions', () => {
  it('when a position is encoded, then it decodes to itself; anything else is not a position', () => {
    const position = { at: 1_800_000_000_000, source: 'm' as const, id: 's-1', seq: 7 };
    expect(decodePosition(encodePosition(position))).toEqual(position);
    expect(decodePosition(positionAt(new Date(5)))).toMatchObject({ at: 4 });
    for (const bad of ['', 'not a cursor', Buffer.from('[1,"x","y"]').toString('base64url')]) {
      expect(decodePosition(bad)).toBeUndefined();
    }
  });
});
