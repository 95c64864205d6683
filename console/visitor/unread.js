// The launcher's unread badge: the embedding page (embed.js) tells the
// widget whether its panel is open; while it is closed, agent messages are
// counted and the count is posted to the page, which shows it on the
// launcher. Opening the panel clears it. Only a number crosses the frame,
// never a message's text.

export function unreadCounter() {
  let open = true;
  let count = 0;
  const embedded = window.parent !== window;

  function post() {
    // The page embedding the widget is the merchant's, of any origin: it learns a count only.
    if (embedded) window.parent.postMessage({ type: 'reception:unread', count }, '*');
  }

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || event.data?.type !== 'reception:visibility') return;
    open = event.data.open === true;
    if (open && count) {
      count = 0;
      post();
    }
  });

  return {
    /** Messages just delivered: the agent's count while the panel is closed. @param {Array<{ sender: { type: string } }>} messages */
    delivered(messages) {
      if (open) return;
      const agent = messages.filter((message) => message.sender.type === 'agent').length;
      if (!agent) return;
      count += agent;
      post();
    },
  };
}
