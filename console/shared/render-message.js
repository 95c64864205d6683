import { clock, el } from './dom.js';

/**
 * One chat message as a list item, text as text. `mine` decides which side
 * it sits on; robot suggestions become chips when `onSuggestion` is given.
 * Attachments and cards are links (http(s) only, checked by the server).
 *
 * @param {any} message a ChatMessage
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
  const body = el('span', { class: 'message__text', text: message.text });
  if (message.attachment) {
    body.append(' ', link(message.attachment.url, message.attachment.name));
  }
  if (message.card) {
    const card = message.card;
    const line = [card.title, card.price, card.status].filter(Boolean).join(' · ');
    body.append(el('br'), card.url ? link(card.url, line) : el('strong', { text: line }));
  }
  item.append(body);
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

/** @param {string} url @param {string} text */
function link(url, text) {
  const safe = /^https?:\/\//i.test(url) ? url : '#';
  return el('a', { text, attrs: { href: safe, target: '_blank', rel: 'noopener noreferrer' } });
}

/**
 * Puts an item into a list ordered by data-seq (pending items without a seq stay last).
 * @param {HTMLElement} list
 * @param {HTMLElement} item
 */
export function placeBySeq(list, item) {
  const seq = Number(item.dataset.seq);
  const after = Array.from(list.children).find((node) => {
    const other = /** @type {HTMLElement} */ (node).dataset.seq;
    return other === undefined || Number(other) > seq;
  });
  list.insertBefore(item, after ?? null);
}
