import type { Locator } from 'playwright-core';

/**
 * playwright-core ships no `expect`: these are the few web-first assertions
 * the browser tests need. Each re-reads the page until it matches or the
 * timeout passes, then fails naming what it saw last — a wait for the
 * behaviour, never a fixed sleep.
 */
const defaultTimeout = 20_000;

async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeout: number,
): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return;
    } catch {
      // The element is not there yet (or its frame is reloading): read again.
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not met within ${timeout} ms; last seen ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const matches = (text: string, expected: string | RegExp, whole: boolean) =>
  typeof expected === 'string'
    ? whole
      ? text.trim() === expected
      : text.includes(expected)
    : expected.test(text);

export function expectUi(locator: Locator, timeout = defaultTimeout) {
  const name = locator.toString();
  return {
    toHaveText: (expected: string | RegExp) =>
      until(
        () => locator.innerText({ timeout: 1000 }),
        (text) => matches(text, expected, true),
        `${name} has text ${String(expected)}`,
        timeout,
      ),
    toContainText: (expected: string | RegExp) =>
      until(
        () => locator.innerText({ timeout: 1000 }),
        (text) => matches(text, expected, false),
        `${name} contains ${String(expected)}`,
        timeout,
      ),
    toHaveCount: (count: number) =>
      until(
        () => locator.count(),
        (n) => n === count,
        `${name} count is ${count}`,
        timeout,
      ),
    toBeVisible: () =>
      until(
        () => locator.isVisible(),
        (shown) => shown,
        `${name} is visible`,
        timeout,
      ),
    toBeHidden: () =>
      until(
        () => locator.isVisible(),
        (shown) => !shown,
        `${name} is hidden`,
        timeout,
      ),
    toHaveValue: (value: string) =>
      until(
        () => locator.inputValue({ timeout: 1000 }),
        (v) => v === value,
        `${name} = ${value}`,
        timeout,
      ),
    /** The texts of all matches, in page order, once they equal `expected`. */
    toHaveTexts: (expected: string[]) =>
      until(
        () => locator.allInnerTexts(),
        (texts) => JSON.stringify(texts) === JSON.stringify(expected),
        `${name} texts are ${JSON.stringify(expected)}`,
        timeout,
      ),
  };
}
