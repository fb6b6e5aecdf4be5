import { join } from 'node:path'
import type { Page } from 'playwright'

/** What the devtools e2e files do to a page over and over: wait, shoot, switch themes. */
export function pageHelpers(page: () => Page, screenshots: string) {
  const shot = (name: string) => page().screenshot({ path: join(screenshots, `${name}.png`), animations: 'disabled' })
  const waitUntil = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
    const end = Date.now() + timeoutMs
    while (!(await check())) {
      if (Date.now() > end) {
        await shot(`failed-${what.replace(/\W+/g, '-')}`)
        throw new Error(`Timed out waiting until ${what}`)
      }
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  /** Two animation frames: the page has drawn whatever the last input changed. */
  const settled = () => page().evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
  const setTheme = async (wanted: 'light' | 'dark') => {
    const toggle = page().getByRole('button', { name: /Switch to (dark|light) theme/ })
    if ((await toggle.getAttribute('aria-label')) === `Switch to ${wanted} theme`) await toggle.click()
  }
  /** A screenshot in each theme at 1440 and 900 px wide; the page is left dark at 1440 px. */
  const shotEverywhere = async (name: string, height = 820) => {
    for (const width of [1440, 900]) {
      await page().setViewportSize({ width, height })
      for (const theme of ['light', 'dark'] as const) {
        await setTheme(theme)
        await settled()
        await shot(`${name}-${width}-${theme}`)
      }
    }
    await page().setViewportSize({ width: 1440, height })
  }
  return { shot, waitUntil, settled, setTheme, shotEverywhere }
}
