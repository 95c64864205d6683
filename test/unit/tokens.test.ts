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

  it('when a token is fresh, then it verifies to its tenant, agent and role', () => {
    const { token } = issueAgentToken(secret, agent, 60);
    expect(verifyAgentToken(secret, token)).toEqual(agent);
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
