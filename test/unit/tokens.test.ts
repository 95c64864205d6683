import { createHmac } from 'node:crypto';
import {
  issueAgentToken,
  issueVisitorToken,
  verifyAgentToken,
  verifyVisitorToken,
} from '../../runtime/tokens';

const secret = 's'.repeat(40);
const claims = { tenantId: 't1', sessionId: 's1', visitorId: 'v1' };

describe('visitor tokens', () => {
  it('when a token is fresh and untouched, then it verifies to its claims', () => {
    const { token } = issueVisitorToken(secret, claims, 60);
    expect(verifyVisitorToken(secret, token)).toEqual(claims);
  });

  it('when a token has expired, then it is refused', () => {
    const { token } = issueVisitorToken(secret, claims, 60, Date.now() - 61_000);
    expect(verifyVisitorToken(secret, token)).toBeUndefined();
  });

  it('when the payload is changed to another session, then it is refused', () => {
    const { token } = issueVisitorToken(secret, claims, 60);
    const [version, , signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ typ: 'visitor', ...claims, sessionId: 's2', exp: 9e9 }),
    ).toString('base64url');
    expect(verifyVisitorToken(secret, `${version}.${forged}.${signature}`)).toBeUndefined();
  });

  it('when signed with another secret, then it is refused', () => {
    const { token } = issueVisitorToken('o'.repeat(40), claims, 60);
    expect(verifyVisitorToken(secret, token)).toBeUndefined();
  });

  it.each([undefined, 42, '', 'v1', 'v2.a.b', 'v1.!!.sig'])(
    'when the token is %j, then it is refused',
    (token) => {
      expect(verifyVisitorToken(secret, token)).toBeUndefined();
    },
  );
});

describe('agent tokens', () => {
  const agent = { tenantId: 't1', agentId: 'ann', role: 'supervisor' as const };

  it('when a token is fresh, then it verifies to its tenant, agent and role, with its own id and issue time', () => {
    const now = Date.now();
    const { token } = issueAgentToken(secret, agent, 60, now);
    expect(verifyAgentToken(secret, token)).toEqual({
      ...agent,
      token: {
        id: expect.any(String) as unknown,
        issuedAt: now,
        expiresAt: Math.floor(now / 1000) + 60,
      },
    });
  });

  it('when two tokens are issued for the same agent at once, then their ids differ', () => {
    const now = Date.now();
    const ids = [1, 2].map(
      () => verifyAgentToken(secret, issueAgentToken(secret, agent, 60, now).token)?.token.id,
    );
    expect(ids[0]).not.toEqual(ids[1]);
  });

  it('when a token from before ids is verified, then it gets an id from its signature and counts as issued at 0', () => {
    // The format tokens had before they carried jti and iat.
    const payload = Buffer.from(
      JSON.stringify({ typ: 'agent', ...agent, exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url');
    const signed = `v1.${payload}`;
    const legacy = `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
    const verified = verifyAgentToken(secret, legacy);
    expect(verified).toMatchObject({ ...agent, token: { issuedAt: 0 } });
    expect(verified?.token.id).toMatch(/^sig-/);
    expect(verifyAgentToken(secret, legacy)?.token.id).toBe(verified?.token.id);
  });

  it('when an agent token has expired, then it is refused', () => {
    const { token } = issueAgentToken(secret, agent, 60, Date.now() - 61_000);
    expect(verifyAgentToken(secret, token)).toBeUndefined();
  });

  it('when one kind of token is offered as the other, then it is refused both ways', () => {
    const visitor = issueVisitorToken(secret, claims, 60).token;
    const staff = issueAgentToken(secret, agent, 60).token;
    expect(verifyAgentToken(secret, visitor)).toBeUndefined();
    expect(verifyVisitorToken(secret, staff)).toBeUndefined();
  });

  it('when the role is raised in the payload, then the signature no longer matches', () => {
    const { token } = issueAgentToken(secret, { ...agent, role: 'agent' }, 60);
    const [version, , signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ typ: 'agent', ...agent, role: 'supervisor', exp: 9e9 }),
    ).toString('base64url');
    expect(verifyAgentToken(secret, `${version}.${forged}.${signature}`)).toBeUndefined();
  });
});
