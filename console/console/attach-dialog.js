// The composer's "Link or card" dialog: an image or file link, or a product
// or order card, sent as one `message:send` of kind image / file / card.
// The engine stores where a file is and what it is, never its bytes, so the
// agent gives the link, its type and size; the server checks every limit
// and its answer (naming the bad field) shows in the dialog.
import { byId, el } from '/shared/dom.js';

// The browser copy of messageLimits in domain/message-send.ts (the pages are
// served without a build step); keep the two in step by hand.
const imageTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const fileTypes = [
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ...imageTypes,
];
/** @type {Record<string, string>} */
const typeByExtension = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The last path segment of a URL, as a file name. @param {string} url */
function nameOf(url) {
  try {
    const segment = new URL(url).pathname.split('/').filter(Boolean).pop() ?? '';
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/** Drops empty optional fields: the server refuses an empty string where it wants text or nothing. */
const present = (/** @type {Record<string, string>} */ fields) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ''));

/**
 * @param {{
 *   send: (body: Record<string, unknown>) => Promise<unknown>,
 * }} deps
 */
export function attachDialog({ send }) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('attach-dialog'));
  const form = /** @type {HTMLFormElement} */ (byId('attach-form'));
  const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'));
  const field = (/** @type {string} */ name) =>
    /** @type {HTMLInputElement | HTMLSelectElement} */ (form.elements.namedItem(name));
  const kind = /** @type {HTMLSelectElement} */ (field('kind'));
  const mimeType = /** @type {HTMLSelectElement} */ (field('mimeType'));

  /** Shows the fields of the chosen kind; hidden ones are disabled, so they neither validate nor send. */
  function showKind() {
    const labels = /** @type {NodeListOf<HTMLElement>} */ (form.querySelectorAll('[data-kinds]'));
    for (const label of labels) {
      const shown = (label.dataset.kinds ?? '').split(' ').includes(kind.value);
      label.hidden = !shown;
      const inputs = /** @type {NodeListOf<HTMLInputElement>} */ (
        label.querySelectorAll('input, select')
      );
      for (const input of inputs) input.disabled = !shown;
    }
    const types = kind.value === 'image' ? imageTypes : fileTypes;
    const before = mimeType.value;
    mimeType.replaceChildren(
      ...types.map((type) => el('option', { text: type, attrs: { value: type } })),
    );
    if (types.includes(before)) mimeType.value = before;
  }

  function guessFromUrl() {
    const url = field('url').value;
    const guessed = typeByExtension[nameOf(url).split('.').pop()?.toLowerCase() ?? ''];
    if (guessed && [...mimeType.options].some((o) => o.value === guessed)) mimeType.value = guessed;
    if (!field('name').value) field('name').value = nameOf(url);
  }

  /** The message body the form describes. @param {FormData} data */
  function body(data) {
    const value = (/** @type {string} */ name) => String(data.get(name) ?? '').trim();
    const text = value('caption');
    if (kind.value === 'image' || kind.value === 'file') {
      return {
        kind: kind.value,
        text,
        attachment: {
          url: value('url'),
          name: value('name'),
          mimeType: value('mimeType'),
          size: Math.max(1, Math.round(Number(value('sizeKb')) * 1024)),
        },
      };
    }
    return {
      kind: 'card',
      text,
      card: {
        type: kind.value,
        ...present({
          ref: value('ref'),
          title: value('title'),
          price: value('price'),
          status: value('status'),
          url: value('cardUrl'),
          imageUrl: value('imageUrl'),
        }),
      },
    };
  }

  kind.addEventListener('change', showKind);
  field('url').addEventListener('change', guessFromUrl);
  byId('attach-cancel').addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    button.disabled = true;
    try {
      await send(body(new FormData(form)));
      dialog.close();
    } catch (caught) {
      error.textContent = /** @type {Error} */ (caught).message;
    } finally {
      button.disabled = false;
    }
  });

  return {
    /**
     * Opens the dialog, a card's number filled from the chat's entry when it matches.
     * @param {{ type: string, ref?: string } | undefined} entry
     */
    open(entry) {
      form.reset();
      error.textContent = '';
      if (entry && (entry.type === 'product' || entry.type === 'order')) {
        kind.value = entry.type;
        field('ref').value = entry.ref ?? '';
      }
      showKind();
      dialog.showModal();
    },
  };
}
