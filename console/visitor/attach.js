// The shopper's attachments: an Attach button beside the text box, and pictures
// pasted into it or files dropped on the chat. Each file is uploaded
// (console/shared/upload.js), then sent as an ordinary message that names
// it; a line shows while it uploads, and the server's refusal (a type it
// does not take, a size over the limit) shows in its place.
import { clientMsgId } from '/shared/api.js';
import { el } from '/shared/dom.js';
import {
  acceptFiles,
  attachButton,
  attachmentMessage,
  uploadFile,
  uploadText,
} from '/shared/upload.js';

/**
 * @param {{
 *   composer: HTMLFormElement,
 *   text: HTMLInputElement,
 *   list: HTMLElement,
 *   dropZone: HTMLElement,
 *   session: () => { sessionId: string, visitorToken: string } | undefined,
 *   send: (body: Record<string, unknown>) => Promise<unknown>,
 *   lang: () => string,
 * }} deps
 */
export function wireUploads({ composer, text, list, dropZone, session, send, lang }) {
  /** @param {File} file */
  async function sendFile(file) {
    const open = session();
    if (!open) return;
    const line = el('li', { class: 'message message--mine message--pending message--upload' }, [
      el('span', {
        class: 'message__meta',
        text: uploadText(lang(), 'uploading', { name: file.name }),
      }),
    ]);
    list.append(line);
    list.scrollTop = list.scrollHeight;
    try {
      const uploaded = await uploadFile({
        sessionId: open.sessionId,
        token: open.visitorToken,
        file,
      });
      await send({ ...attachmentMessage(uploaded), clientMsgId: clientMsgId() });
      line.remove();
    } catch (error) {
      line.classList.add('message--failed');
      line.replaceChildren(
        el('span', {
          class: 'message__text',
          text: uploadText(lang(), 'uploadFailed', {
            name: file.name,
            error: /** @type {Error} */ (error).message,
          }),
        }),
      );
    }
  }
  const onFiles = (/** @type {File[]} */ files) => {
    for (const file of files) void sendFile(file);
  };
  attachButton({ parent: composer, before: text, lang, onFiles });
  acceptFiles({ target: text, dropZone, onFiles });
}
