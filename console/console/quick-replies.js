// Quick replies (常用语) in the composer: the tenant's and the agent's own,
// from GET /api/v1/quick-replies. Typing "/" at the start of the reply opens
// the picker filtered by what follows; the "Quick replies" button opens it
// with its own search box. Arrow keys move, Enter (or a click) inserts,
// Escape closes. The agent adds personal ones from the picker.
import { byId, el, show } from '/shared/dom.js';

/** Case-insensitive, in the shortcut or the text: the API's `q` rule. */
const matches = (/** @type {QuickReply} */ reply, /** @type {string} */ query) =>
  !query ||
  reply.shortcut.toLowerCase().includes(query.toLowerCase()) ||
  reply.text.toLowerCase().includes(query.toLowerCase());

/**
 * @typedef {{ id: string, scope: 'tenant' | 'personal', shortcut: string, text: string }} QuickReply
 * @param {{
 *   api: (method: string, path: string, body?: unknown) => Promise<unknown>,
 *   t: (key: string, values?: Record<string, string | number>) => string,
 *   composer: HTMLTextAreaElement,
 * }} deps
 */
export function quickReplyPicker({ api, t, composer }) {
  const ui = {
    picker: byId('qr-picker'),
    search: /** @type {HTMLInputElement} */ (byId('qr-search')),
    list: byId('qr-list'),
    empty: byId('qr-empty'),
    form: /** @type {HTMLFormElement} */ (byId('qr-form')),
    details: /** @type {HTMLDetailsElement} */ (byId('qr-new')),
  };
  /** @type {QuickReply[]} */
  let replies = [];
  /** @type {Promise<void> | undefined} */
  let loading;
  /** 'slash': filtered by the composer's "/…"; 'browse': by the picker's own search box. */
  let mode = /** @type {'slash' | 'browse' | undefined} */ (undefined);
  /** @type {QuickReply[]} */
  let shown = [];
  let highlighted = 0;

  function load() {
    loading ??= api('GET', '/api/v1/quick-replies?limit=200').then((answer) => {
      replies = /** @type {{ items: QuickReply[] }} */ (answer).items;
    });
    return loading;
  }

  const query = () => (mode === 'slash' ? composer.value.slice(1) : ui.search.value).trim();

  function draw() {
    shown = replies.filter((reply) => matches(reply, query()));
    highlighted = Math.min(highlighted, Math.max(0, shown.length - 1));
    ui.list.replaceChildren(
      ...shown.map((reply, index) =>
        el(
          'li',
          {
            attrs: {
              role: 'option',
              'data-qr-id': reply.id,
              'data-scope': reply.scope,
              'aria-selected': String(index === highlighted),
            },
            // mousedown, not click: the composer keeps its focus and caret.
            on: {
              mousedown: (event) => {
                event.preventDefault();
                insert(reply);
              },
            },
          },
          [
            el('strong', { class: 'qr-shortcut', text: reply.shortcut }),
            el('span', {
              class: 'qr-scope',
              text: reply.scope === 'personal' ? t('qrMine') : t('qrShop'),
            }),
            el('span', { class: 'qr-text', text: reply.text }),
          ],
        ),
      ),
    );
    show(ui.empty, shown.length === 0);
    ui.list.children[highlighted]?.scrollIntoView({ block: 'nearest' });
  }

  /** @param {'slash' | 'browse'} next */
  async function open(next) {
    mode = next;
    highlighted = 0;
    show(ui.picker, true);
    show(ui.search, next === 'browse');
    if (next === 'browse') ui.search.focus();
    try {
      await load();
    } catch (error) {
      loading = undefined;
      ui.empty.textContent = /** @type {Error} */ (error).message;
      show(ui.empty, true);
      return;
    }
    if (mode === next) draw();
  }

  function close() {
    mode = undefined;
    show(ui.picker, false);
    ui.search.value = '';
  }

  /** @param {QuickReply} reply */
  function insert(reply) {
    if (mode === 'slash') {
      composer.value = reply.text;
    } else {
      const { selectionStart, selectionEnd } = composer;
      composer.setRangeText(reply.text, selectionStart, selectionEnd, 'end');
    }
    close();
    composer.focus();
    composer.setSelectionRange(composer.value.length, composer.value.length);
  }

  /**
   * The picker's keys, wherever the focus is (composer or search box).
   * @param {KeyboardEvent} event
   */
  function onKey(event) {
    if (!mode || event.isComposing) return;
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (step !== undefined) {
      event.preventDefault();
      if (shown.length) highlighted = (highlighted + step + shown.length) % shown.length;
      draw();
    } else if (event.key === 'Enter' && !event.shiftKey && shown[highlighted]) {
      // Enter inserts instead of sending (the composer's own handler sees defaultPrevented);
      // with nothing matching, Enter sends what was typed.
      event.preventDefault();
      insert(shown[highlighted]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
      composer.focus();
    }
  }

  composer.addEventListener('input', () => {
    const slash = composer.value.startsWith('/') && !composer.value.includes('\n');
    if (slash && mode !== 'slash') void open('slash');
    else if (slash) draw();
    else if (mode === 'slash') close();
  });
  composer.addEventListener('keydown', onKey);
  ui.search.addEventListener('keydown', onKey);
  ui.search.addEventListener('input', () => {
    highlighted = 0;
    draw();
  });
  byId('qr-open').addEventListener('click', () => {
    if (mode === 'browse') close();
    else void open('browse');
  });
  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = /** @type {HTMLElement} */ (ui.form.querySelector('.form-error'));
    error.textContent = '';
    const fields = new FormData(ui.form);
    try {
      const added = /** @type {QuickReply} */ (
        await api('POST', '/api/v1/quick-replies', {
          shortcut: String(fields.get('shortcut') ?? '').trim(),
          text: String(fields.get('text') ?? '').trim(),
        })
      );
      replies = [...replies, added].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
      ui.form.reset();
      ui.details.open = false;
      draw();
    } catch (caught) {
      error.textContent = /** @type {Error} */ (caught).message;
    }
  });

  return {
    close,
    get isOpen() {
      return mode !== undefined;
    },
  };
}
