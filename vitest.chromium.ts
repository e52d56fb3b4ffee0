import { playwright } from '@vitest/browser-playwright'

/**
 * How to launch Debian's Chromium headless, for Vitest's browser mode and for the bench, which
 * drives it with Playwright directly.
 */
export const CHROMIUM_LAUNCH_OPTIONS = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
}

/**
 * Vitest's browser settings for Debian's Chromium: test tools cannot download browsers here
 * (docs/toolchain.md §4, F8). A fresh object per call, because Vitest mutates
 * `instances` and a shared one breaks the second project (docs/toolchain.md F7).
 */
export function chromiumBrowser() {
  return {
    enabled: true,
    headless: true,
    provider: playwright({
      launchOptions: { ...CHROMIUM_LAUNCH_OPTIONS, args: [...CHROMIUM_LAUNCH_OPTIONS.args] },
    }),
    instances: [{ browser: 'chromium' as const }],
  }
}
