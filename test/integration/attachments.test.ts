import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { errorBody } from '../../api/openapi';
import { attachmentInfo } from '../../api/views';
import { linkKey, linkSigner } from '../../messaging/attachment-links';
import { blobBucket } from '../../stores/attachment-blobs';
import { collections } from '../../stores/collections';
import { customerDataStore } from '../../stores/customer-data';
import { removeExpired } from '../../stores/retention';
import {
  agentSend,
  agentSync,
  agentToken,
  connectAgent,
  desk,
  ok,
  openAssigned,
  visitorSend,
  type AgentSocket,
} from '../support/chat';
import {
  connectVisitor,
  startTestEngine,
  type TestEngine,
  type VisitorSocket,
} from '../support/engine';
import { testSecret, uniqueId } from '../support/stack';

/**
 * Uploaded attachments on real servers (GridFS on FerretDB): typed by their
 * bytes, limited per kind, carried by ordinary messages, served through
 * signed links to the session's participants only, and removed with the
 * session's data.
 */
const limits = { image: 200_000, video: 600_000, file: 3_000_000 };
const ttlSeconds = 3_600;
let engine: TestEngine;
const sockets: (VisitorSocket | AgentSocket)[] = [];
beforeAll(async () => {
  engine = await startTestEngine({
    VISITOR_SEND_LIMIT: 1000,
    ATTACHMENT_MAX_IMAGE_BYTES: limits.image,
    ATTACHMENT_MAX_VIDEO_BYTES: limits.video,
    ATTACHMENT_MAX_FILE_BYTES: limits.file,
    ATTACHMENT_LINK_TTL_SECONDS: ttlSeconds,
  });
});
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await engine.close();
});

const signer = () => linkSigner(linkKey(testSecret, undefined), ttlSeconds);

const png = (width = 640, height = 480) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png()
    .toBuffer();
/** A PNG of random pixels: it does not compress, so it is about 3 bytes a pixel. */
const noisyPng = (side: number) =>
  sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();
const pdf = (bytes: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(bytes - 9)]);
/** A WebM's EBML header (DocType "webm") and then bytes: enough for its type. */
const webm = (bytes: number) => {
  const header = Buffer.from([
    0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81,
    0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d,
  ]);
  return Buffer.concat([header, randomBytes(bytes - header.length)]);
};

interface Upload {
  sessionId: string;
  token: string;
  kind: string;
  name: string;
  body: Buffer;
  /** Sends the body in pieces without a Content-Length (chunked), as a stream would. */
  chunked?: boolean;
}

async function upload({ sessionId, token, kind, name, body, chunked }: Upload) {
  const query = new URLSearchParams({ kind, name });
  const pieces = chunked
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < body.length; at += 64 * 1024) {
            controller.enqueue(body.subarray(at, at + 64 * 1024));
          }
          controller.close();
        },
      })
    : body;
  const response = await fetch(
    `${engine.app.url}/api/v1/sessions/${sessionId}/attachments?${query.toString()}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
      body: pieces,
      ...(chunked ? { duplex: 'half' } : {}),
    } as RequestInit,
  );
  return { status: response.status, body: (await response.json()) as unknown };
}

const download = async (url: string) => {
  const response = await fetch(`${engine.app.url}${url}`);
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
};

/** What GridFS holds for a tenant: files documents and chunks. */
async function storedBlobs(tenantId: string) {
  const files = await engine.db
    .collection(`${blobBucket}.files`)
    .find({ 'metadata.tenantId': tenantId })
    .toArray();
  const chunks = await engine.db
    .collection(`${blobBucket}.chunks`)
    .countDocuments({ files_id: { $in: files.map((file) => file._id) } });
  return { files: files.length, chunks };
}
const allChunks = () => engine.db.collection(`${blobBucket}.chunks`).countDocuments({});

async function assignedChat() {
  const agentId = uniqueId('agent');
  const tenantId = await desk(engine, [agentId]);
  const session = await openAssigned(engine, tenantId);
  const agent = await connectAgent(engine.app.url, agentToken(tenantId, session.agentId));
  const visitor = await connectVisitor(engine.app, session.visitorToken);
  sockets.push(agent, visitor);
  return {
    tenantId,
    ...session,
    agent,
    visitor,
    staffToken: agentToken(tenantId, session.agentId),
  };
}

describe('uploading and sending attachments', () => {
  it('when the shopper uploads a picture and sends it, then the agent gets the message with links that serve the picture and its thumbnail, typed and inline, with nosniff', async () => {
    const chat = await assignedChat();
    const picture = await png();
    const answer = await upload({
      sessionId: chat.sessionId,
      token: chat.visitorToken,
      kind: 'image',
      name: 'broken-lid.png',
      body: picture,
    });
    expect(answer.status).toBe(201);
    const info = attachmentInfo.parse(answer.body);
    expect(info).toMatchObject({
      kind: 'image',
      name: 'broken-lid.png',
      mimeType: 'image/png',
      size: picture.length,
      width: 640,
      height: 480,
    });

    const sent = ok(
      await visitorSend(chat.visitor, {
        kind: 'image',
        clientMsgId: 'pic-1',
        attachmentId: info.id,
        text: 'the lid',
      }),
    );
    expect(sent.attachment).toMatchObject({ id: info.id, mimeType: 'image/png', width: 640 });
    // A resend is the same message, stored once.
    const again = ok(
      await visitorSend(chat.visitor, {
        kind: 'image',
        clientMsgId: 'pic-1',
        attachmentId: info.id,
        text: 'the lid',
      }),
    );
    expect(again.seq).toBe(sent.seq);

    const page = ok(await agentSync(chat.agent, chat.sessionId, 0));
    const received = page.messages.find((m) => m.seq === sent.seq);
    expect(received?.kind).toBe('image');
    const original = await download(received?.attachment?.url ?? '');
    expect(original.status).toBe(200);
    expect(original.bytes.equals(picture)).toBe(true);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(original.headers.get('x-content-type-options')).toBe('nosniff');
    expect(original.headers.get('content-disposition')).toMatch(
      /^inline; filename="?broken-lid\.png"?/,
    );

    const thumbnail = await download(received?.attachment?.thumbnailUrl ?? '');
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ width: 320, height: 240 });
  });

  it('when the agent uploads a 2 MB PDF and sends it, then the shopper downloads it whole, as a download under a safe name', async () => {
    const chat = await assignedChat();
    const document = pdf(2 * 1024 * 1024);
    const answer = await upload({
      sessionId: chat.sessionId,
      token: chat.staffToken,
      kind: 'file',
      name: '../invoice "May".pdf',
      body: document,
    });
    expect(answer.status).toBe(201);
    const info = attachmentInfo.parse(answer.body);
    expect(info).toMatchObject({
      kind: 'file',
      mimeType: 'application/pdf',
      name: 'invoice _May_.pdf',
    });
    expect(info.thumbnailUrl).toBeUndefined();
    const sent = ok(
      await agentSend(chat.agent, {
        sessionId: chat.sessionId,
        kind: 'file',
        clientMsgId: 'invoice',
        attachmentId: info.id,
        text: '',
      }),
    );
    const file = await download(sent.attachment?.url ?? '');
    expect(file.status).toBe(200);
    expect(file.bytes.equals(document)).toBe(true);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toMatch(
      /^attachment; filename="invoice _May_.pdf"/,
    );
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('when a PNG is uploaded named .pdf, or as a file, or bytes of no accepted type come, then it is refused naming the field, and nothing is stored', async () => {
    const chat = await assignedChat();
    const picture = await png(20, 20);
    const renamed = await upload({
      sessionId: chat.sessionId,
      token: chat.visitorToken,
      kind: 'image',
      name: 'receipt.pdf',
      body: picture,
    });
    expect(renamed.status).toBe(422);
    expect(errorBody.parse(renamed.body).error).toMatchObject({
      code: 'type_mismatch',
      fields: [{ path: 'name' }],
    });
    const asFile = await upload({
      sessionId: chat.sessionId,
      token: chat.visitorToken,
      kind: 'file',
      name: 'receipt.pdf',
      body: picture,
    });
    expect(asFile.status).toBe(422);
    expect(errorBody.parse(asFile.body).error).toMatchObject({
      code: 'type_mismatch',
      fields: [{ path: 'kind' }],
    });
    const html = await upload({
      sessionId: chat.sessionId,
      token: chat.visitorToken,
      kind: 'file',
      name: 'page.html',
      body: Buffer.from('\u0000<html><script>alert(1)</script></html>'),
    });
    expect(html.status).toBe(415);
    expect(errorBody.parse(html.body).error.code).toBe('unsupported_type');
    expect(await storedBlobs(chat.tenantId)).toEqual({ files: 0, chunks: 0 });
    expect(
      await collections(engine.db).attachments.countDocuments({ tenantId: chat.tenantId }),
    ).toBe(0);
  });

  it('when an upload is over its kind’s limit, announced or streamed, then 413 names the limit and nothing is left in GridFS', async () => {
    const chat = await assignedChat();
    const big = await noisyPng(300);
    expect(big.length).toBeGreaterThan(limits.image);
    const announced = await upload({
      sessionId: chat.sessionId,
      token: chat.visitorToken,
      kind: 'image',
      name: 'big.png',
      body: big,
    });
    expect(announced.status).toBe(413);
    expect(announced.body).toMatchObject({
      error: {
        code: 'payload_too_large',
        fields: [
          { path: '(body)', message: `must be at most ${limits.image} bytes for kind image` },
        ],
        kind: 'image',
        limitBytes: limits.image,
      },
    });

    // Streamed past the limit: GridFS has had chunks written before the count ran over.
    const chunksBefore = await allChunks();
    const streamed = await upload({
      sessionId: chat.sessionId,
      token: chat.visitorToken,
      kind: 'video',
      name: 'unboxing.webm',
      body: webm(1_200_000),
      chunked: true,
    });
    expect(streamed.status).toBe(413);
    expect(streamed.body).toMatchObject({
      error: { code: 'payload_too_large', kind: 'video', limitBytes: limits.video },
    });
    expect(await storedBlobs(chat.tenantId)).toEqual({ files: 0, chunks: 0 });
    expect(await allChunks()).toBe(chunksBefore);
    expect(
      await collections(engine.db).attachments.countDocuments({ tenantId: chat.tenantId }),
    ).toBe(0);

    // Under the limit, the same way, it is stored.
    const fits = await upload({
      sessionId: chat.sessionId,
      token: chat.visitorToken,
      kind: 'video',
      name: 'unboxing.webm',
      body: webm(500_000),
      chunked: true,
    });
    expect(fits.status).toBe(201);
    expect(attachmentInfo.parse(fits.body)).toMatchObject({
      mimeType: 'video/webm',
      size: 500_000,
    });
  });
});

describe('who may fetch an attachment', () => {
  it('when a link is changed to another session or tenant, or signed for another session’s attachment, then 404; a message of another session cannot carry it', async () => {
    const chat = await assignedChat();
    const other = await assignedChat();
    const info = attachmentInfo.parse(
      (
        await upload({
          sessionId: chat.sessionId,
          token: chat.visitorToken,
          kind: 'image',
          name: 'a.png',
          body: await png(30, 30),
        })
      ).body,
    );
    expect((await download(info.url)).status).toBe(200);
    const swapped = info.url.replace(`/${chat.sessionId}/`, `/${other.sessionId}/`);
    expect((await download(swapped)).status).toBe(404);
    const otherTenant = info.url.replace(`/${chat.tenantId}/`, `/${other.tenantId}/`);
    expect((await download(otherTenant)).status).toBe(404);
    // Even correctly signed, a link naming another session or tenant finds nothing.
    for (const ref of [
      { tenantId: chat.tenantId, sessionId: other.sessionId, attachmentId: info.id },
      { tenantId: other.tenantId, sessionId: chat.sessionId, attachmentId: info.id },
    ]) {
      expect((await download(signer().sign(ref, 'original').url)).status).toBe(404);
    }
    // The other session's shopper may not send it, nor ask for its links.
    const refused = await visitorSend(other.visitor, {
      kind: 'image',
      clientMsgId: 'steal',
      attachmentId: info.id,
      text: '',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const links = await fetch(
      `${engine.app.url}/api/v1/sessions/${other.sessionId}/attachments/${info.id}`,
      { headers: { authorization: `Bearer ${other.visitorToken}` } },
    );
    expect(links.status).toBe(404);
    const foreign = await fetch(
      `${engine.app.url}/api/v1/sessions/${chat.sessionId}/attachments/${info.id}`,
      { headers: { authorization: `Bearer ${other.visitorToken}` } },
    );
    expect(foreign.status).toBe(403);
  });

  it('when a link has expired, then 403 `link_expired`, and the participant gets a fresh one that works', async () => {
    const chat = await assignedChat();
    const info = attachmentInfo.parse(
      (
        await upload({
          sessionId: chat.sessionId,
          token: chat.visitorToken,
          kind: 'file',
          name: 'notes.txt',
          body: Buffer.from('Order 7: the lid is cracked.\n'),
        })
      ).body,
    );
    const ref = { tenantId: chat.tenantId, sessionId: chat.sessionId, attachmentId: info.id };
    const old = signer().sign(ref, 'original', new Date(Date.now() - 2 * ttlSeconds * 1000));
    const expired = await download(old.url);
    expect(expired.status).toBe(403);
    expect(JSON.parse(expired.bytes.toString('utf8'))).toMatchObject({
      error: { code: 'link_expired' },
    });
    const fresh = await fetch(
      `${engine.app.url}/api/v1/sessions/${chat.sessionId}/attachments/${info.id}`,
      { headers: { authorization: `Bearer ${chat.staffToken}` } },
    );
    expect(fresh.status).toBe(200);
    const file = await download(attachmentInfo.parse(await fresh.json()).url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(file.bytes.toString('utf8')).toBe('Order 7: the lid is cracked.\n');
  });
});

describe('attachments leave with their data', () => {
  it('when a customer is erased, or retention removes a closed session, then its attachments’ records and bytes are gone', async () => {
    const erased = await assignedChat();
    const expired = await assignedChat();
    for (const chat of [erased, expired]) {
      const answer = await upload({
        sessionId: chat.sessionId,
        token: chat.visitorToken,
        kind: 'image',
        name: 'x.png',
        body: await png(50, 50),
      });
      expect(answer.status).toBe(201);
      expect(await storedBlobs(chat.tenantId)).toEqual({ files: 2, chunks: 2 });
    }

    await customerDataStore(engine.db).erase(erased.tenantId, erased.visitorId, [erased.sessionId]);
    expect(await storedBlobs(erased.tenantId)).toEqual({ files: 0, chunks: 0 });
    expect(
      await collections(engine.db).attachments.countDocuments({ tenantId: erased.tenantId }),
    ).toBe(0);

    const { sessions } = collections(engine.db);
    await sessions.updateOne(
      { _id: expired.sessionId, tenantId: expired.tenantId },
      { $set: { phase: 'closed', closedAt: new Date(Date.now() - 86_400_000) } },
    );
    const round = await removeExpired(engine.db, expired.tenantId, new Date());
    expect(round).toMatchObject({ sessions: 1, attachments: 1 });
    expect(await storedBlobs(expired.tenantId)).toEqual({ files: 0, chunks: 0 });
  });
});
