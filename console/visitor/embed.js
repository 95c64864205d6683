// Embeds the chat widget in a merchant's page: each element with
// data-chat-entry="product|order|shop|logistics" (and data-chat-ref) opens
// the widget in a side panel with that entry context. The widget runs in an
// iframe so the shop's styles and scripts never touch it; a launcher button
// hides and shows it, with an unread badge while it is hidden.
//
//   <script type="module" src="https://engine.example/visitor/embed.js"
//           data-tenant="demo" data-lang="en"></script>
//
// A shop that knows its shopper adds data-identity="<JWT>", signed on its
// server with the tenant's identity secret (README: Shopper identity); it is
// passed in the frame's fragment, which browsers never send to a server.
const script = /** @type {HTMLScriptElement | null} */ (
  document.querySelector('script[src$="/visitor/embed.js"]')
);
const base = new URL('.', script?.src ?? location.href);
const tenant =
  script?.dataset.tenant ?? new URLSearchParams(location.search).get('tenant') ?? 'demo';

/** @type {HTMLIFrameElement | undefined} */
let frame;

/**
 * The launcher: a round button under the panel that hides and shows it.
 * While the panel is hidden, the widget counts the agent's new messages and
 * posts the count here; the badge shows it. Only messages from the frame
 * itself are taken.
 */
function addLauncher() {
  const button = document.createElement('button');
  button.id = 'reception-launcher';
  button.type = 'button';
  button.setAttribute('aria-label', 'Chat');
  // A speech bubble drawn here, not an emoji: not every system has an emoji font.
  const svg = 'http://www.w3.org/2000/svg';
  const icon = document.createElementNS(svg, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('width', '26');
  icon.setAttribute('height', '26');
  icon.setAttribute('aria-hidden', 'true');
  const bubble = document.createElementNS(svg, 'path');
  bubble.setAttribute(
    'd',
    'M4 4h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H9l-5 4v-4H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z',
  );
  bubble.setAttribute('fill', 'currentColor');
  icon.append(bubble);
  button.append(icon);
  Object.assign(button.style, {
    position: 'fixed',
    right: '16px',
    bottom: '16px',
    width: '56px',
    height: '56px',
    borderRadius: '50%',
    border: 'none',
    background: '#165dff',
    color: '#fff',
    cursor: 'pointer',
    boxShadow: '0 4px 12px rgba(0,0,0,.2)',
    zIndex: '2147483001',
  });
  const badge = document.createElement('span');
  badge.className = 'reception-unread';
  badge.hidden = true;
  Object.assign(badge.style, {
    position: 'absolute',
    top: '-4px',
    right: '-4px',
    minWidth: '20px',
    height: '20px',
    padding: '0 6px',
    borderRadius: '10px',
    background: '#f53f3f',
    color: '#fff',
    fontSize: '12px',
    lineHeight: '20px',
    boxSizing: 'border-box',
  });
  button.append(badge);
  button.addEventListener('click', () => {
    if (!frame) return;
    frame.hidden = !frame.hidden;
    frame.contentWindow?.postMessage({ type: 'reception:visibility', open: !frame.hidden }, '*');
  });
  window.addEventListener('message', (event) => {
    if (!frame || event.source !== frame.contentWindow) return;
    if (event.data?.type !== 'reception:unread') return;
    const count = Number(event.data.count) || 0;
    badge.textContent = count > 99 ? '99+' : String(count);
    badge.hidden = count === 0;
    button.setAttribute('aria-label', count ? `Chat (${count} unread)` : 'Chat');
  });
  document.body.append(button);
}

/** @param {string} entry @param {string | undefined} ref */
function openChat(entry, ref) {
  const url = new URL('index.html', base);
  url.searchParams.set('tenant', tenant);
  url.searchParams.set('entry', entry);
  if (ref) url.searchParams.set('ref', ref);
  const lang = script?.dataset.lang ?? new URLSearchParams(location.search).get('lang');
  if (lang) url.searchParams.set('lang', lang);
  const identity = script?.dataset.identity;
  if (identity) url.hash = new URLSearchParams({ identity }).toString();
  if (!frame) {
    frame = document.createElement('iframe');
    frame.id = 'reception-chat';
    frame.title = 'Chat';
    Object.assign(frame.style, {
      position: 'fixed',
      right: '16px',
      bottom: '84px',
      width: '380px',
      height: 'min(640px, calc(100vh - 100px))',
      border: '1px solid #e5e6eb',
      borderRadius: '12px',
      boxShadow: '0 8px 24px rgba(0,0,0,.15)',
      background: '#fff',
      zIndex: '2147483000',
    });
    document.body.append(frame);
    addLauncher();
  }
  frame.hidden = false;
  frame.src = url.href;
}

for (const trigger of document.querySelectorAll('[data-chat-entry]')) {
  const node = /** @type {HTMLElement} */ (trigger);
  node.addEventListener('click', () =>
    openChat(node.dataset.chatEntry ?? 'shop', node.dataset.chatRef),
  );
}
