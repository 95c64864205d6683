// The transfer dialog: the agent hands the open chat to another agent
// (with their status and load) or to a group's queue (with its length). The
// server decides whether the target can take it; its refusal shows in the
// dialog, and a chat handed on is put away here.
import { byId, el } from '/shared/dom.js';
import { api, current, me, t, ui } from './state.js';

/** @typedef {import('/shared/route-views.js').TransferTargets} TransferTargets */

/** @param {{ closeChat: () => void }} deps */
export function transferDialog({ closeChat }) {
  async function open() {
    const chat = current;
    if (!chat) return;
    const { sessionId } = chat;
    const error = /** @type {HTMLElement} */ (ui.dialog.querySelector('.form-error'));
    error.textContent = '';
    // What the next agent should know: kept as a private note, shown in their offer.
    const noteInput = /** @type {HTMLTextAreaElement} */ (byId('transfer-note'));
    const { agents, groups } = /** @type {TransferTargets} */ (
      await api('GET', '/api/v1/transfer-targets')
    );
    const pick =
      (/** @type {{ toAgentId: string } | { toGroupId: string }} */ target) => async () => {
        try {
          const note = noteInput.value.trim();
          await api('POST', `/api/v1/sessions/${sessionId}/transfer`, {
            ...target,
            ...(note ? { note } : {}),
          });
          noteInput.value = '';
          ui.dialog.close();
          if (current === chat) closeChat();
        } catch (caught) {
          error.textContent = /** @type {Error} */ (caught).message;
        }
      };
    byId('transfer-agents').replaceChildren(
      ...agents
        .filter((a) => a.agentId !== me.agentId)
        .map((a) =>
          el('li', { attrs: { 'data-agent-id': a.agentId } }, [
            el('span', { text: a.name ? `${a.name} (${a.agentId})` : a.agentId }),
            el('span', {
              class: 'muted',
              text: t('agentLoad', { status: t(a.status), load: a.load, capacity: a.capacity }),
            }),
            el('button', {
              text: t('transfer'),
              attrs: { type: 'button' },
              on: { click: pick({ toAgentId: a.agentId }) },
            }),
          ]),
        ),
    );
    byId('transfer-groups').replaceChildren(
      ...groups.map((g) =>
        el('li', { attrs: { 'data-group-id': g.groupId } }, [
          el('span', { text: g.groupId }),
          el('span', { class: 'muted', text: t('groupQueue', { length: g.queueLength }) }),
          el('button', {
            text: t('transfer'),
            attrs: { type: 'button' },
            on: { click: pick({ toGroupId: g.groupId }) },
          }),
        ]),
      ),
    );
    ui.dialog.showModal();
  }

  return { open };
}
