// Uploads a file the shopper or the agent picked, pasted or dropped, then
// hands back the message body that carries it. Two steps, as the API has
// them: the bytes go to `POST /api/v1/sessions/:id/attachments` (the server
// reads their type from the bytes, checks the size limit and answers with an
// id), then the message names that id on the ordinary `message:send` path,
// so its order, idempotency and fan-out are every other message's.
import { ApiError } from './api.js';

/**
 * Which kind to ask for, from the browser's guess of the type (the server
 * decides from the bytes, and refuses a mismatch naming the field).
 * @param {File} file
 * @returns {'image' | 'video' | 'file'}
 */
export function kindOf(file) {
  if (/^image\/(png|jpeg|gif|webp)$/.test(file.type)) return 'image';
  if (/^video\//.test(file.type)) return 'video';
  return 'file';
}

/** A name for a pasted picture, which comes without one ("image.png" at best). @param {File} file */
function nameOf(file) {
  if (file.name && file.name !== 'image.png') return file.name;
  const ext = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' }[
    file.type
  ];
  return `pasted-${new Date().toISOString().replace(/[:.]/g, '-')}.${ext ?? 'bin'}`;
}

/**
 * Uploads one file to the session; rejects with the server's reason (which
 * names the limit or the bad field).
 * @param {{ sessionId: string, token: string, file: File }} upload
 * @returns {Promise<{ id: string, kind: 'image' | 'video' | 'file', name: string }>}
 */
export async function uploadFile({ sessionId, token, file }) {
  const query = new URLSearchParams({ kind: kindOf(file), name: nameOf(file) });
  const response = await fetch(
    `/api/v1/sessions/${encodeURIComponent(sessionId)}/attachments?${query}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: file,
    },
  );
  const body = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'http', error.message ?? response.statusText);
  }
  return body;
}

/**
 * The message that carries an uploaded attachment (the sender adds its clientMsgId).
 * @param {{ id: string, kind: string }} uploaded @param {string} [caption]
 */
export const attachmentMessage = (uploaded, caption = '') => ({
  kind: uploaded.kind,
  attachmentId: uploaded.id,
  text: caption,
});

/**
 * Files pasted into or dropped onto `target` go to `onFiles`; text pastes
 * and drops are left to the browser. `dropZone` shows a hint while a file
 * is dragged over it.
 * @param {{ target: HTMLElement, dropZone?: HTMLElement, onFiles: (files: File[]) => void }} wiring
 */
export function acceptFiles({ target, dropZone = target, onFiles }) {
  target.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!files.length) return;
    event.preventDefault();
    onFiles(files);
  });
  const carriesFiles = (/** @type {DragEvent} */ event) =>
    [...(event.dataTransfer?.types ?? [])].includes('Files');
  dropZone.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dropZone.classList.add('drop-target');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('drop-target'));
  dropZone.addEventListener('drop', (event) => {
    dropZone.classList.remove('drop-target');
    const files = [...(event.dataTransfer?.files ?? [])];
    if (!files.length) return;
    event.preventDefault();
    onFiles(files);
  });
}

/** The uploads' own labels (kept here, beside the one feature that uses them). */
const labels = {
  en: {
    attach: 'Attach',
    attachFile: 'Attach a picture, video or file (or paste or drop one here)',
    uploading: 'Uploading {name}…',
    uploadFailed: '{name}: {error}',
  },
  zh: {
    attach: '附件',
    attachFile: '发送图片、视频或文件（也可粘贴或拖入）',
    uploading: '正在上传 {name}…',
    uploadFailed: '{name}：{error}',
  },
};

/**
 * A label in the page's language. @param {string} lang
 * @param {keyof typeof labels.en} key @param {Record<string, string>} [values]
 */
export function uploadText(lang, key, values = {}) {
  const table = lang.startsWith('zh') ? labels.zh : labels.en;
  return table[key].replace(/\{(\w+)\}/g, (_, name) => values[name] ?? '');
}

/** What the file picker offers (the server checks the bytes whatever is picked). */
export const acceptedFiles =
  'image/png,image/jpeg,image/gif,image/webp,video/mp4,video/webm,application/pdf,application/zip,text/plain,.txt,.csv,.zip,.docx,.xlsx';

/**
 * The composer's attach button and hidden file input, placed before `before`.
 * @param {{ parent: HTMLElement, before: Node | null, lang: () => string, onFiles: (files: File[]) => void, className?: string }} wiring
 */
export function attachButton({ parent, before, lang, onFiles, className = 'secondary' }) {
  const input = document.createElement('input');
  input.type = 'file';
  input.hidden = true;
  input.multiple = true;
  input.accept = acceptedFiles;
  input.className = 'upload-input';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `upload-button ${className}`;
  const label = () => {
    button.textContent = uploadText(lang(), 'attach');
    button.title = uploadText(lang(), 'attachFile');
    button.setAttribute('aria-label', button.title);
  };
  label();
  button.addEventListener('click', () => {
    label();
    input.click();
  });
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) onFiles(files);
  });
  parent.insertBefore(button, before);
  parent.insertBefore(input, before);
  return { button, input };
}
