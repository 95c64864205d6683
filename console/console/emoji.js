// A small emoji picker for the composer: a fixed list served with the page
// (no CDN, no font download), inserted where the cursor is.

const emoji = [
  '😀',
  '😊',
  '😂',
  '🙂',
  '😉',
  '😍',
  '🤔',
  '😅',
  '😢',
  '😮',
  '🙏',
  '👍',
  '👌',
  '👏',
  '💪',
  '🤝',
  '👋',
  '🎉',
  '❤️',
  '✨',
  '✅',
  '❌',
  '⚠️',
  '❓',
  '💡',
  '📦',
  '🚚',
  '🛒',
  '💰',
  '🎁',
  '📞',
  '📧',
  '⏰',
  '📅',
  '🔧',
  '🌟',
  '🌹',
  '☕',
  '🍀',
  '🙋',
];

/**
 * @param {{ toggle: HTMLButtonElement, panel: HTMLElement, input: HTMLTextAreaElement }} parts
 */
export function emojiPicker({ toggle, panel, input }) {
  for (const symbol of emoji) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'emoji';
    button.textContent = symbol;
    button.setAttribute('aria-label', symbol);
    button.addEventListener('click', () => {
      const start = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? start;
      input.setRangeText(symbol, start, end, 'end');
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.focus();
      panel.hidden = true;
    });
    panel.append(button);
  }
  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
  });
  return {
    close() {
      panel.hidden = true;
    },
  };
}
