// Minimal visitor page: opens chat for this browser's visitor and shows the
// session's messages in seq order. Text is always inserted as text.
(function () {
  'use strict';

  const params = new URLSearchParams(location.search);
  const tenantId = params.get('tenant') || 'demo';
  const entryType = params.get('entry') || 'shop';
  const entryRef = params.get('ref') || undefined;
  const statusEl = document.getElementById('status');
  const listEl = document.getElementById('messages');

  const storageKey = 'reception.visitor.' + tenantId;
  let visitorId = localStorage.getItem(storageKey);
  if (!visitorId) {
    visitorId = 'v-' + crypto.randomUUID();
    localStorage.setItem(storageKey, visitorId);
  }

  let lastSeq = 0;
  const seen = new Set();

  function setStatus(text) {
    statusEl.textContent = text;
  }

  function show(message) {
    if (seen.has(message.seq)) return;
    seen.add(message.seq);
    lastSeq = Math.max(lastSeq, message.seq);
    const item = document.createElement('li');
    item.className = 'message message--' + message.sender.type;
    item.dataset.seq = String(message.seq);
    const who = document.createElement('span');
    who.className = 'message__who';
    who.textContent = message.sender.type === 'robot' ? 'Assistant' : message.sender.type;
    const text = document.createElement('span');
    text.className = 'message__text';
    text.textContent = message.text;
    item.append(who, text);
    // Keep seq order even if a live message and a sync page interleave.
    const after = Array.from(listEl.children).find((el) => Number(el.dataset.seq) > message.seq);
    listEl.insertBefore(item, after || null);
  }

  function sync(socket) {
    socket.emit('message:sync', { afterSeq: lastSeq }, (result) => {
      if (!result.ok) return setStatus('Could not load messages: ' + result.error.message);
      result.data.messages.forEach(show);
      if (result.data.hasMore) sync(socket);
    });
  }

  async function open() {
    const response = await fetch('/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tenantId,
        visitor: { id: visitorId },
        channel: 'web',
        entry: entryRef ? { type: entryType, ref: entryRef } : { type: entryType },
      }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);

    const socket = io('/visitor', {
      auth: { token: body.visitorToken },
      transports: ['websocket'],
    });
    socket.on('connect', () => {
      setStatus('Connected');
      sync(socket);
    });
    socket.on('disconnect', () => setStatus('Reconnecting…'));
    socket.on('connect_error', (error) => setStatus('Cannot connect: ' + error.message));
    socket.on('message:new', (message) => {
      // A gap means we missed something: pull it instead of guessing.
      if (message.seq > lastSeq + 1) sync(socket);
      else show(message);
    });
  }

  open().catch((error) => setStatus('Could not open chat: ' + error.message));
})();
