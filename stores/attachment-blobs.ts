import type { Readable } from 'node:stream';
import { GridFSBucket, type Db } from 'mongodb';

/**
 * Where the bytes of attachments live, behind the few operations the engine
 * needs, so an S3-compatible store could take GridFS's place: write one
 * object (aborting leaves nothing), read it, and remove a session's or a
 * tenant's objects.
 *
 *   key                                     written by         holds
 *   <tenant>/<session>/<attachment>         the upload         the original bytes
 *   <tenant>/<session>/<attachment>.thumb   the upload         an image's thumbnail
 *
 * Invariant: every object of a session is found by its tenant and session
 * (the metadata on GridFS's files document), so erasing or expiring a
 * session removes all of it. An upload that is refused or fails is aborted,
 * which removes its chunks; only a process that dies mid-upload can leave
 * chunks without a files document (GridFS writes that last), which no read
 * ever reaches.
 */
export interface BlobKey {
  tenantId: string;
  sessionId: string;
  /** The attachment id, or `<id>.thumb` for its thumbnail. */
  name: string;
}

export interface BlobWriter {
  /** Resolves when the store can take more (backpressure). */
  write(chunk: Buffer): Promise<void>;
  /** Commits the object: only now does it exist. */
  finish(): Promise<void>;
  /** Drops what was written; the object never exists. Safe to call after an error. */
  abort(): Promise<void>;
}

export interface BlobStore {
  create(key: BlobKey, contentType: string): BlobWriter;
  /** The object's bytes; the stream errors if there is no such object. */
  read(key: BlobKey): Readable;
  /** Removes one object, if it is there. */
  removeObject(key: BlobKey): Promise<void>;
  /** Removes every object of these sessions; returns how many. Idempotent. */
  removeSessions(tenantId: string, sessionIds: readonly string[]): Promise<number>;
  removeTenant(tenantId: string): Promise<number>;
}

/** The GridFS bucket's name: its collections are `attachment_blobs.files` and `.chunks`. */
export const blobBucket = 'attachment_blobs';

/** GridFS's file name: the key, unique (attachment ids are random). */
const nameOf = (key: BlobKey) => `${key.tenantId}/${key.sessionId}/${key.name}`;

/** The blob store in MongoDB GridFS (the official driver's GridFSBucket; FerretDB serves it too). */
export function gridFsBlobs(db: Db): BlobStore {
  const bucket = new GridFSBucket(db, { bucketName: blobBucket });
  const files = db.collection(`${blobBucket}.files`);
  const chunks = db.collection(`${blobBucket}.chunks`);

  /** Deletes the matching files documents and their chunks (chunks first: a rerun finds them). */
  async function remove(filter: Record<string, unknown>): Promise<number> {
    const found = await files.find(filter, { projection: { _id: 1 } }).toArray();
    const ids = found.map((doc) => doc._id);
    if (!ids.length) return 0;
    await chunks.deleteMany({ files_id: { $in: ids } });
    await files.deleteMany({ _id: { $in: ids } });
    return ids.length;
  }

  return {
    create(key, contentType) {
      const upload = bucket.openUploadStream(nameOf(key), {
        metadata: { tenantId: key.tenantId, sessionId: key.sessionId, contentType },
      });
      let failed: Error | undefined;
      upload.on('error', (error) => {
        failed = error;
      });
      return {
        async write(chunk) {
          if (failed) throw failed;
          if (!upload.write(chunk)) {
            await new Promise<void>((resolve, reject) => {
              const settle = (error?: Error) => {
                upload.off('drain', settle);
                upload.off('error', settle);
                if (error) reject(error);
                else resolve();
              };
              upload.on('drain', settle);
              upload.on('error', settle);
            });
          }
        },
        finish: () =>
          new Promise<void>((resolve, reject) => {
            if (failed) return reject(failed);
            upload.once('finish', () => resolve());
            upload.once('error', reject);
            upload.end();
          }),
        async abort() {
          await upload.abort().catch(() => undefined);
          // abort() removes the chunks it knows of; this also catches a write still in flight.
          await chunks.deleteMany({ files_id: upload.id });
          await files.deleteMany({ _id: upload.id });
        },
      };
    },
    read(key) {
      return bucket.openDownloadStreamByName(nameOf(key));
    },
    async removeObject(key) {
      await remove({ filename: nameOf(key) });
    },
    removeSessions(tenantId, sessionIds) {
      if (!sessionIds.length) return Promise.resolve(0);
      return remove({
        'metadata.tenantId': tenantId,
        'metadata.sessionId': { $in: [...sessionIds] },
      });
    },
    removeTenant(tenantId) {
      return remove({ 'metadata.tenantId': tenantId });
    },
  };
}

/** Indexes the removals rely on (GridFS makes its own for reads). */
export async function ensureBlobIndexes(db: Db): Promise<void> {
  await db
    .collection(`${blobBucket}.files`)
    .createIndex({ 'metadata.tenantId': 1, 'metadata.sessionId': 1 }, { name: 'tenant_session' });
}
