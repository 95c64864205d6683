import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { testStack } from './stack';

/** Debian's Chromium, driven by Playwright; flags keep it off the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: testStack.chromium,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Screenshots for reviewers land in test-output/screenshots. */
export async function screenshotPath(name: string): Promise<string> {
  const dir = join(__dirname, '..', '..', 'test-output', 'screenshots');
  await mkdir(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
