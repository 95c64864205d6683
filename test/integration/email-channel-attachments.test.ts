import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { attachmentInfo } from '../../api/views';
import { testOperatorToken } from '../support/api-client';
import { agentSend, agentToken, connectAgent, ok } from '../support/chat';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { mailById, mailsTo } from '../support/mailpit';
import { emailShop, emailShopper } from '../support/email-shop';
import { testStack, uniqueId } from '../support/stack';

/**
 * Attachments in the email channel against the test stack's Mailpit: an
 * agent's picture and video reach a shopper's inbox as absolute links on
 * PUBLIC_URL (here with a path prefix, as behind a proxy), signed for the
 * link lifetime, that fetch the bytes.
 */

const batchMs = 1_000;
const ttlSeconds = 7_200;
const publicUrl = 'https://shop.example.com/chat';
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({
    OPERATOR_TOKEN: testOperatorToken,
    EVENT_SETTLE_MS: 200,
    SMTP_URL: testStack.smtpUrl,
    EMAIL_BATCH_MS: batchMs,
    PUBLIC_URL: publicUrl,
    ATTACHMENT_LINK_TTL_SECONDS: ttlSeconds,
  });
});
afterAll(async () => {
  await engine.close();
});

const png = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20, g: 90, b: 200 } } })
    .png()
    .toBuffer();

/** A WebM's EBML header (DocType "webm") and then bytes: enough for its type. */
const webm = (bytes: number) => {
  const header = Buffer.from([
    0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81,
    0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d,
  ]);
  return Buffer.concat([header, randomBytes(bytes - header.length)]);
};

/** A shop whose chats skip the robot to its one online agent; a verified shopper with `email`. */
async function assignedShopper(email: string) {
  const { tenantId } = await emailShop(engine);
  const { sessionId } = await emailShopper(engine, tenantId, email);
  return { tenantId, sessionId };
}

async function upload(sessionId: string, token: string, kind: string, name: string, body: Buffer) {
  const query = new URLSearchParams({ kind, name });
  const response = await fetch(
    `${engine.app.url}/api/v1/sessions/${sessionId}/attachments?${query.toString()}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
      body: new Uint8Array(body),
    },
  );
  expect(response.status).toBe(201);
  return attachmentInfo.parse(await response.json());
}

describe('attachments in the email channel', () => {
  it('when an agent sends a picture and a video to a shopper who is away, then the mail links both absolutely on PUBLIC_URL, signed for the link lifetime, and the links fetch the bytes', async () => {
    const email = `${uniqueId('ines')}@example.com`;
    const { tenantId, sessionId } = await assignedShopper(email);
    const token = agentToken(tenantId, 'ann');
    const agent = await connectAgent(engine.app.url, token);
    try {
      const picture = await png();
      const clip = webm(4_000);
      const image = await upload(sessionId, token, 'image', 'lid.png', picture);
      const video = await upload(sessionId, token, 'video', 'unboxing.webm', clip);
      for (const [kind, info, text] of [
        ['image', image, 'The lid, as promised.'],
        ['video', video, ''],
      ] as const) {
        ok(
          await agentSend(agent, {
            sessionId,
            kind,
            clientMsgId: uniqueId('a'),
            attachmentId: info.id,
            text,
          }),
        );
      }

      const [mail] = await eventually(async () => {
        const found = await mailsTo(email);
        return found.length ? found : undefined;
      }, 20_000);
      const full = await mailById(mail?.ID ?? '');
      expect(full.Text).toContain('The lid, as promised.');
      const links = [...full.Text.matchAll(/^(lid\.png|unboxing\.webm): (\S+)$/gm)];
      expect(links.map((m) => m[1])).toEqual(['lid.png', 'unboxing.webm']);
      for (const [, , link] of links) {
        if (!link) throw new Error('no link');
        expect(link.startsWith(`${publicUrl}/api/v1/attachments/`)).toBe(true);
        // Clickable in the HTML part too.
        expect(full.HTML).toContain(`<a href="${link.replace(/&/g, '&amp;')}">`);
        const expires = Number(new URL(link).searchParams.get('expires'));
        expect(Math.abs(expires * 1000 - (Date.now() + ttlSeconds * 1000))).toBeLessThan(60_000);
      }
      // Behind the proxy the links name the API's own paths: they fetch the bytes.
      const bytes = await Promise.all(
        links.map(async ([, , link]) => {
          const response = await fetch(`${engine.app.url}${(link ?? '').slice(publicUrl.length)}`);
          expect(response.status).toBe(200);
          return Buffer.from(await response.arrayBuffer());
        }),
      );
      expect(bytes[0]?.equals(picture)).toBe(true);
      expect(bytes[1]?.equals(clip)).toBe(true);
    } finally {
      agent.close();
    }
  });
});
