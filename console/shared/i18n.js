// zh-CN / en for the pages. The language comes from `?lang=`, else the last
// choice on this browser, else the browser's language. Static text is marked
// with data-i18n (text) and data-i18n-placeholder; dynamic text uses t().

export const languages = /** @type {const} */ (['zh-CN', 'en']);

/**
 * @param {Record<'zh-CN' | 'en', Record<string, string>>} dictionary
 * @param {string} storageKey
 */
export function createI18n(dictionary, storageKey) {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  const stored = localStorage.getItem(storageKey);
  /** @type {'zh-CN' | 'en'} */
  let lang =
    [fromUrl, stored].find((l) => l === 'zh-CN' || l === 'en') ??
    (navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');
  /** @type {Array<() => void>} */
  const listeners = [];

  /**
   * @param {string} key
   * @param {Record<string, string | number>} [values]
   */
  function t(key, values = {}) {
    const text = dictionary[lang][key] ?? dictionary.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      name in values ? String(values[name]) : whole,
    );
  }

  function apply() {
    document.documentElement.lang = lang;
    for (const node of document.querySelectorAll('[data-i18n]')) {
      node.textContent = t(/** @type {HTMLElement} */ (node).dataset.i18n ?? '');
    }
    for (const node of document.querySelectorAll('[data-i18n-placeholder]')) {
      const input = /** @type {HTMLInputElement} */ (node);
      input.placeholder = t(input.dataset.i18nPlaceholder ?? '');
    }
    listeners.forEach((listener) => listener());
  }

  return {
    t,
    apply,
    get lang() {
      return lang;
    },
    /** @param {'zh-CN' | 'en'} next */
    set(next) {
      lang = next;
      localStorage.setItem(storageKey, next);
      apply();
    },
    /** @param {() => void} listener */
    onChange(listener) {
      listeners.push(listener);
    },
  };
}

/**
 * A <select> switching the language.
 * @param {HTMLSelectElement} select
 * @param {ReturnType<typeof createI18n>} i18n
 */
export function bindLanguageSelect(select, i18n) {
  select.replaceChildren(
    ...languages.map((l) => {
      const option = document.createElement('option');
      option.value = l;
      option.textContent = l === 'zh-CN' ? '中文' : 'English';
      return option;
    }),
  );
  select.value = i18n.lang;
  select.addEventListener('change', () => i18n.set(/** @type {'zh-CN' | 'en'} */ (select.value)));
}
