// Embeds the chat widget in a merchant's page: each element with
// data-chat-entry="product|order|shop|logistics" (and data-chat-ref) opens
// the widget in a side panel with that entry context. The widget runs in an
// iframe so the shop's styles and scripts never touch it.
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
      bottom: '16px',
      width: '380px',
      height: 'min(640px, calc(100vh - 32px))',
      border: '1px solid #e5e6eb',
      borderRadius: '12px',
      boxShadow: '0 8px 24px rgba(0,0,0,.15)',
      background: '#fff',
      zIndex: '2147483000',
    });
    document.body.append(frame);
  }
  frame.src = url.href;
}

for (const trigger of document.querySelectorAll('[data-chat-entry]')) {
  const node = /** @type {HTMLElement} */ (trigger);
  node.addEventListener('click', () =>
    openChat(node.dataset.chatEntry ?? 'shop', node.dataset.chatRef),
  );
}
