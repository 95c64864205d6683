// The open chat: one at a time, kept exact by seq (its latest page over
// HTTP, then live messages and a resync from there; older pages on demand),
// read receipts while the agent holds it, the composer's sends (retried with
// one clientMsgId until stored) and the close. A chat from the recently
// closed list opens read-only.
import { ApiError, clientMsgId } from '/shared/api.js';
import { byId, show } from '/shared/dom.js';
import { messageStream, request } from '/shared/message-stream.js';
import { placeBySeq, renderMessage } from '/shared/render-message.js';
import { earlierMessages } from './earlier-messages.js';
import { api, current, i18n, me, pageSize, sessions, setCurrent, socket, t, ui } from './state.js';

/**
 * @typedef {import('../../domain/socket-events').ChatMessage} ChatMessage
 * @typedef {import('../../domain/socket-events').MessagePage} MessagePage
 * @typedef {import('../../domain/socket-events').SessionSummary} SessionSummary
 * @typedef {import('./state.js').EndedChat} EndedChat
 * @typedef {import('./state.js').OpenChat} OpenChat
 */

/**
 * @param {{
 *   panel: ReturnType<typeof import('./customer-panel.js').customerPanel>,
 *   quickReplies: ReturnType<typeof import('./quick-replies.js').quickReplyPicker>,
 *   drawList: () => void,
 * }} deps
 */
export function chatView({ panel, quickReplies, drawList }) {
  const earlier = earlierMessages({
    list: ui.messages,
    button: /** @type {HTMLButtonElement} */ (byId('load-earlier')),
    fetchBefore: (sessionId, beforeSeq) =>
      /** @type {Promise<MessagePage>} */ (
        api(
          'GET',
          `/api/v1/sessions/${sessionId}/messages?beforeSeq=${beforeSeq}&limit=${pageSize}`,
        )
      ),
    render: (message) => renderFor(message),
    onError: (error) => (ui.chatError.textContent = error.message),
  });

  /**
   * Opens a held chat: its latest page over HTTP (the list line knows its last
   * seq), then live messages and a resync from there; older pages on demand.
   * @param {string} sessionId
   */
  async function openChat(sessionId) {
    if (current?.sessionId === sessionId) return;
    const summary = sessions.get(sessionId);
    /** @type {OpenChat} */
    const chat = { sessionId, ended: false };
    setCurrent(chat);
    drawChatHead(summary, false);
    if (summary) {
      void panel.open({
        sessionId,
        visitorId: summary.visitorId,
        entry: summary.entry,
        ended: false,
      });
    }
    const last = summary?.lastMessage?.seq;
    /** @type {MessagePage} */
    let page = { messages: [], hasMore: false };
    try {
      if (last) {
        page = /** @type {MessagePage} */ (
          await api(
            'GET',
            `/api/v1/sessions/${sessionId}/messages?beforeSeq=${last + 1}&limit=${pageSize}`,
          )
        );
      }
    } catch (error) {
      // Start from the first message instead: the resync below pages through all of it.
      ui.chatError.textContent = /** @type {Error} */ (error).message;
    }
    if (current !== chat) return;
    const oldest = page.messages[0]?.seq ?? 1;
    const stream = messageStream({
      startAfter: oldest - 1,
      sync: (afterSeq) => request(socket, 'message:sync', { sessionId, afterSeq, limit: 50 }),
      deliver: (messages) => deliverTo(sessionId, /** @type {ChatMessage[]} */ (messages)),
      onError: (error) => (ui.chatError.textContent = error.message),
    });
    chat.stream = stream;
    earlier.reset(sessionId, oldest, page.hasMore);
    stream.accept(...page.messages);
    void stream.resync();
  }

  /**
   * A chat from the recently closed list: its messages read-only (the latest
   * page, older ones on demand) and the customer panel, with outreach. A chat
   * transferred away and ended by another agent is theirs to read.
   * @param {EndedChat} s
   */
  async function openEnded(s) {
    // The same chat still open live (its removal not heard yet) switches to the ended view.
    if (current?.sessionId === s.sessionId && current.ended) return;
    /** @type {OpenChat} */
    const chat = { sessionId: s.sessionId, ended: true };
    setCurrent(chat);
    drawChatHead(s, true);
    void panel.open({
      sessionId: s.sessionId,
      visitorId: s.visitorId,
      entry: s.entry,
      ended: true,
    });
    try {
      // The largest seq there can be: the page ends at the chat's last message.
      const page = /** @type {MessagePage} */ (
        await api(
          'GET',
          `/api/v1/sessions/${s.sessionId}/messages?beforeSeq=${Number.MAX_SAFE_INTEGER}&limit=${pageSize}`,
        )
      );
      if (current !== chat) return;
      for (const message of page.messages) placeBySeq(ui.messages, renderFor(message));
      ui.messages.scrollTop = ui.messages.scrollHeight;
      earlier.reset(s.sessionId, page.messages[0]?.seq ?? 1, page.hasMore);
    } catch (error) {
      if (current !== chat) return;
      const forbidden = error instanceof ApiError && error.status === 403;
      ui.chatError.textContent = forbidden
        ? t('endedNotYours')
        : /** @type {Error} */ (error).message;
    }
  }

  /** @param {Pick<SessionSummary, 'visitorId' | 'entry'> | undefined} summary @param {boolean} ended */
  function drawChatHead(summary, ended) {
    quickReplies.close();
    earlier.stop();
    ui.messages.replaceChildren();
    ui.chatError.textContent = '';
    ui.chatTitle.textContent = summary?.visitorId ?? current?.sessionId ?? '';
    ui.chatEntry.textContent = summary
      ? t(`entry_${summary.entry.type}`, { ref: summary.entry.ref ?? '' })
      : '';
    show(ui.chatActions, !ended);
    show(ui.reply, !ended);
    show(ui.chatEnded, ended);
    show(ui.chat, true);
    show(ui.empty, false);
    drawList();
  }

  /** @param {ChatMessage} message */
  function renderFor(message) {
    const type = message.sender.type;
    const mine = type === 'agent' && message.sender.id === me.agentId;
    const who =
      type === 'visitor'
        ? t('visitor')
        : type === 'agent'
          ? mine
            ? t('you')
            : t('agent', { id: message.sender.id ?? '' })
          : t('robot');
    return renderMessage(message, { mine, who, lang: i18n.lang });
  }

  /** @param {string} sessionId @param {ChatMessage[]} messages */
  function deliverTo(sessionId, messages) {
    if (current?.sessionId !== sessionId) return;
    // Follow new messages only when the agent is at the bottom (not reading older ones).
    const list = ui.messages;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    for (const message of messages) placeBySeq(list, renderFor(message));
    const mine = messages.some((m) => m.sender.type === 'agent' && m.sender.id === me.agentId);
    if (atBottom || mine) list.scrollTop = list.scrollHeight;
    const last = messages[messages.length - 1];
    const summary = sessions.get(sessionId);
    if (last && summary && summary.phase === 'assigned' && socket.connected) {
      socket.emit('message:read', { sessionId, seq: last.seq }, () => undefined);
    }
  }

  function closeChat() {
    setCurrent(undefined);
    quickReplies.close();
    earlier.stop();
    panel.close();
    show(ui.chat, false);
    show(ui.empty, true);
  }

  /**
   * Sends one message of any kind to the open chat, retried with the same
   * clientMsgId until stored: never lost, never stored twice. Rejects with the
   * server's reason (which names a bad field).
   * @param {Record<string, unknown>} body
   */
  async function sendBody(body) {
    if (!current?.stream) throw new Error(t('noChat'));
    const { sessionId, stream } = current;
    const id = clientMsgId();
    for (let attempt = 0; ; attempt++) {
      try {
        // The body comes from the composer's forms; the server checks every field and names a bad one.
        const send = /** @type {import('../../domain/socket-events').AgentSend} */ ({
          sessionId,
          clientMsgId: id,
          ...body,
        });
        const stored = await request(socket, 'message:send', send);
        stream.accept(stored);
        return stored;
      } catch (error) {
        if (attempt >= 4 || !/no answer/.test(/** @type {Error} */ (error).message)) throw error;
      }
    }
  }

  async function sendReply() {
    const text = ui.replyText.value.trim();
    if (!text || !current) return;
    ui.replyText.value = '';
    ui.chatError.textContent = '';
    try {
      await sendBody({ kind: 'text', text });
    } catch (error) {
      ui.chatError.textContent = /** @type {Error} */ (error).message;
    }
  }

  async function closeSession() {
    const chat = current;
    if (!chat) return;
    try {
      await api('POST', `/api/v1/sessions/${chat.sessionId}/close`);
      // The list may have moved on first, and the agent opened another chat (or this one,
      // ended): only the chat that was closed is put away.
      if (current === chat) closeChat();
    } catch (error) {
      if (current === chat) ui.chatError.textContent = /** @type {Error} */ (error).message;
    }
  }

  return { openChat, openEnded, closeChat, sendBody, sendReply, closeSession };
}
