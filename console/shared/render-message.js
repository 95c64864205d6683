import { clock, el } from './dom.js';

/**
 * One chat message as a list item, text as text. `mine` decides which side
 * it sits on; robot suggestions become chips when `onSuggestion` is given.
 * Images show as a picture (an upload's thumbnail), videos as a player, files as a link with their size, product and
 * order cards as a small card; every URL is http(s) only (the server checks
 * it too) and every name, title and price is set as text.
 *
 * @param {import('../../domain/socket-events').ChatMessage} message
 * @param {{ mine: boolean, who: string, lang: string, onSuggestion?: (text: string) => void }} view
 */
export function renderMessage(message, view) {
  const system = message.kind === 'system' || message.kind === 'rating';
  const item = el('li', {
    class: `message message--${message.sender.type}${view.mine ? ' message--mine' : ''}${system ? ' message--system' : ''}`,
    attrs: { 'data-seq': String(message.seq), 'data-kind': message.kind },
  });
  if (!system) {
    item.append(
      el('span', {
        class: 'message__meta',
        text: `${view.who} · ${clock(message.createdAt, view.lang)}`,
      }),
    );
  }
  // Images, files and cards carry a caption that may be empty: no empty bubble for it.
  if (message.text || !(message.attachment || message.card)) {
    item.append(el('span', { class: 'message__text', text: message.text }));
  }
  if (message.attachment) item.append(attachment(message.kind, message.attachment));
  if (message.card) item.append(card(message.card));
  if (view.onSuggestion && message.suggestions?.length) {
    const pick = view.onSuggestion;
    item.append(
      el(
        'div',
        { class: 'chips' },
        message.suggestions.map((/** @type {string} */ text) =>
          el('button', { text, attrs: { type: 'button' }, on: { click: () => pick(text) } }),
        ),
      ),
    );
  }
  return item;
}

/**
 * http(s) links, and the engine's own signed attachment links (a path on
 * this origin, which serves the widget and the console).
 * @param {string} url
 */
const webUrl = (url) =>
  /^https?:\/\//i.test(url) || /^\/api\/v1\/attachments\/[^/]/.test(url) ? url : undefined;

/** @param {string | undefined} url @param {(Node | string)[]} children @param {string} [className] */
function link(url, children, className) {
  const href = url && webUrl(url);
  if (!href) return el('span', { class: className ?? '' }, children);
  return el(
    'a',
    { class: className ?? '', attrs: { href, target: '_blank', rel: 'noopener noreferrer' } },
    children,
  );
}

/** @param {string} url @param {string} alt @param {string} className */
function picture(url, alt, className) {
  const src = webUrl(url);
  if (!src) return el('span');
  // No referrer: the page the image sits on is nobody else's business.
  return el('img', {
    class: className,
    attrs: { src, alt, loading: 'lazy', referrerpolicy: 'no-referrer' },
  });
}

/** A byte count as people read it. @param {number} bytes */
export function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** @param {string} kind @param {import('../../domain/socket-events').Attachment} file */
function attachment(kind, file) {
  if (kind === 'image') {
    // An upload shows its thumbnail and opens the original.
    const shown = picture(file.thumbnailUrl ?? file.url, file.name, 'message__image');
    return link(file.url, [shown], 'message__attachment');
  }
  if (kind === 'video') {
    // No poster frame is made (that needs ffmpeg): the browser shows the video's first frame.
    const src = webUrl(file.url);
    const box = el('span', { class: 'message__attachment message__video' });
    if (src) {
      box.append(
        el('video', {
          class: 'message__video-player',
          attrs: { src, controls: '', preload: 'metadata', playsinline: '' },
        }),
      );
    }
    box.append(
      link(
        file.url,
        [el('span', { class: 'message__file-name', text: file.name })],
        'message__file',
      ),
    );
    return box;
  }
  return link(
    file.url,
    [
      el('span', { class: 'message__file-icon', text: '📎', attrs: { 'aria-hidden': 'true' } }),
      el('span', { class: 'message__file-name', text: file.name }),
      el('span', { class: 'message__file-size', text: fileSize(file.size) }),
    ],
    'message__attachment message__file',
  );
}

/** @param {import('../../domain/socket-events').Card} data */
function card(data) {
  const facts = [data.price, data.status].filter(Boolean).join(' · ');
  const lines = [
    el('strong', { class: 'card__title', text: data.title }),
    el('span', { class: 'card__ref', text: `#${data.ref}` }),
  ];
  if (facts) lines.push(el('span', { class: 'card__facts', text: facts }));
  const children = [el('span', { class: 'card__lines' }, lines)];
  if (data.imageUrl) children.unshift(picture(data.imageUrl, data.title, 'card__image'));
  const box = link(data.url, children, `message__card card--${data.type}`);
  box.dataset.cardType = data.type;
  return box;
}

/**
 * Puts an item into a list ordered by data-seq (pending items without a seq
 * stay last). An item with the same seq is replaced, so a message that
 * arrives twice (a live push and an older page, say) shows once.
 * @param {HTMLElement} list
 * @param {HTMLElement} item
 */
export function placeBySeq(list, item) {
  const seq = Number(item.dataset.seq);
  const same = Array.from(list.children).find(
    (node) => /** @type {HTMLElement} */ (node).dataset.seq === item.dataset.seq,
  );
  if (same) return void same.replaceWith(item);
  const after = Array.from(list.children).find((node) => {
    const other = /** @type {HTMLElement} */ (node).dataset.seq;
    return other === undefined || Number(other) > seq;
  });
  list.insertBefore(item, after ?? null);
}
