// DOM helpers that only ever set text: chat text, names and ticket contents
// come from shoppers and agents, so nothing here parses HTML.

/**
 * @param {string} tag
 * @param {{ class?: string, text?: string, attrs?: Record<string, string>, on?: Record<string, (event: Event) => void> }} [options]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElement}
 */
export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  for (const [name, handler] of Object.entries(options.on ?? {})) {
    node.addEventListener(name, handler);
  }
  node.append(...children);
  return node;
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing element #${id}`);
  return node;
}

/** @param {HTMLElement} node @param {boolean} shown */
export function show(node, shown) {
  node.hidden = !shown;
}

/** A clock time for a message, in the page's language. @param {string} iso @param {string} lang */
export function clock(iso, lang) {
  return new Date(iso).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
}
