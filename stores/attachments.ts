import type { Db } from 'mongodb';
import { collections, type AttachmentDoc } from './collections';

/**
 * Attachment records (`attachments`), one per upload, keyed by tenant,
 * session and attachment id: a lookup that names another session or tenant
 * finds nothing. The bytes are in the blob store; the record is written
 * after them, so a record always has its bytes.
 */
export function attachmentStore(db: Db) {
  const { attachments } = collections(db);
  const idOf = (tenantId: string, sessionId: string, attachmentId: string) =>
    `${tenantId}/${sessionId}/${attachmentId}`;
  return {
    async insert(doc: Omit<AttachmentDoc, '_id'>): Promise<void> {
      await attachments.insertOne({
        _id: idOf(doc.tenantId, doc.sessionId, doc.attachmentId),
        ...doc,
      });
    },
    find(tenantId: string, sessionId: string, attachmentId: string) {
      return attachments.findOne({
        _id: idOf(tenantId, sessionId, attachmentId),
        tenantId,
        sessionId,
      });
    },
    async removeSessions(tenantId: string, sessionIds: readonly string[]): Promise<number> {
      if (!sessionIds.length) return 0;
      const { deletedCount } = await attachments.deleteMany({
        tenantId,
        sessionId: { $in: [...sessionIds] },
      });
      return deletedCount;
    },
  };
}

export type AttachmentStore = ReturnType<typeof attachmentStore>;
