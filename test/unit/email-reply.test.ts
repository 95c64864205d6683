import { stripQuotedReply } from '../../channels/email/quoted-reply';
import { replyAddress, replyToken, threadsNamed } from '../../channels/email/reply-token';

const secret = 'unit-test-secret-that-is-at-least-32-characters';
const sessionId = '3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b';

describe('reply tokens', () => {
  it('when a token is made for a session, then the same tenant reads it back from the address, and it fits an address’s local part', () => {
    const token = replyToken(secret, 'shop-a', { kind: 'session', sessionId }) ?? '';
    const address = replyAddress(token, 'reply.example.com');
    expect(address.split('@')[0]?.length).toBeLessThanOrEqual(64);
    expect(threadsNamed(secret, 'shop-a', `Shop <${address}>`)).toEqual([
      { kind: 'session', sessionId },
    ]);
    // Providers may upper-case what they forward.
    expect(threadsNamed(secret, 'shop-a', address.toUpperCase())).toHaveLength(1);
  });

  it('when a token is forged, made for another tenant, or signed with another secret, then it names nothing', () => {
    const token = replyToken(secret, 'shop-a', { kind: 'session', sessionId }) ?? '';
    const forged = token.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(threadsNamed(secret, 'shop-a', replyAddress(forged, 'x.com'))).toEqual([]);
    expect(threadsNamed(secret, 'shop-b', replyAddress(token, 'x.com'))).toEqual([]);
    expect(threadsNamed(`${secret}!`, 'shop-a', replyAddress(token, 'x.com'))).toEqual([]);
  });

  it('when a session token is turned into a ticket token, then it names nothing', () => {
    const token = replyToken(secret, 'shop-a', { kind: 'session', sessionId }) ?? '';
    expect(threadsNamed(secret, 'shop-a', token.replace(/^s\./, 't.'))).toEqual([]);
    const ticket = replyToken(secret, 'shop-a', { kind: 'ticket', sessionId }) ?? '';
    expect(threadsNamed(secret, 'shop-a', `<${ticket}.answer-1@x.com>`)).toEqual([
      { kind: 'ticket', sessionId },
    ]);
  });

  it('when an id is not a session’s UUID, then no token is made', () => {
    expect(
      replyToken(secret, 'shop-a', { kind: 'session', sessionId: 'not:a-uuid' }),
    ).toBeUndefined();
  });
});

describe('quoted replies', () => {
  it('when a reply quotes the earlier mail under an attribution line, then only the new text is kept', () => {
    const body = [
      'Saturday works better for me.',
      '',
      'Thanks,',
      'Mei',
      '',
      'On Fri, 4 Dec 2026 at 10:00, Shop <support@shop.example> wrote:',
      '> Your parcel left our warehouse.',
      '> It should arrive on Friday.',
    ].join('\r\n');
    expect(stripQuotedReply(body)).toBe('Saturday works better for me.\n\nThanks,\nMei');
  });

  it('when the attribution is wrapped over two lines, or Outlook quotes below a rule, then it is cut there', () => {
    expect(
      stripQuotedReply(
        'Yes.\n\nOn Fri, 4 Dec 2026 at 10:00, Shop\n<support@shop.example> wrote:\n> hi',
      ),
    ).toBe('Yes.');
    expect(
      stripQuotedReply(
        'No.\n\n________________________________\nFrom: Shop\nSent: Friday\n\nhello',
      ),
    ).toBe('No.');
    expect(stripQuotedReply('OK\n-----Original Message-----\nFrom: Shop')).toBe('OK');
    expect(stripQuotedReply('好的\n\n在 2026年12月4日 10:00，Shop 写道：\n> 您好')).toBe('好的');
  });

  it('when lines start with ">" between the new text, or a signature follows, then those go', () => {
    expect(
      stripQuotedReply('> quoted\nmine\n> more quoted\nalso mine\n-- \nMei, sent from a phone'),
    ).toBe('mine\nalso mine');
  });

  it('when a reply only quotes, then nothing is left', () => {
    expect(stripQuotedReply('> just the old mail\n> again\n')).toBe('');
  });
});
