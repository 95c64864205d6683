// The agent's attachments: an Attach button in the composer's tools, and files
// pasted into or dropped onto the reply box. Each is uploaded to the open
// chat (console/shared/upload.js) and then sent through the chat's ordinary
// send (retried with one clientMsgId until stored); the server's refusal
// (type, size limit) shows under the composer.
import {
  acceptFiles,
  attachButton,
  attachmentMessage,
  uploadFile,
  uploadText,
} from '/shared/upload.js';

/**
 * @param {{
 *   tools: HTMLElement,
 *   replyText: HTMLTextAreaElement,
 *   chatError: HTMLElement,
 *   token: () => string,
 *   sessionId: () => string | undefined,
 *   send: (body: Record<string, unknown>) => Promise<unknown>,
 *   lang: () => string,
 * }} deps
 */
export function agentUploads({ tools, replyText, chatError, token, sessionId, send, lang }) {
  /** @param {File} file */
  async function sendFile(file) {
    const open = sessionId();
    if (!open) return;
    chatError.textContent = uploadText(lang(), 'uploading', { name: file.name });
    try {
      const uploaded = await uploadFile({ sessionId: open, token: token(), file });
      await send(attachmentMessage(uploaded));
      chatError.textContent = '';
    } catch (error) {
      chatError.textContent = uploadText(lang(), 'uploadFailed', {
        name: file.name,
        error: /** @type {Error} */ (error).message,
      });
    }
  }
  const onFiles = (/** @type {File[]} */ files) => {
    for (const file of files) void sendFile(file);
  };
  attachButton({ parent: tools, before: null, lang, onFiles });
  acceptFiles({ target: replyText, onFiles });
}
