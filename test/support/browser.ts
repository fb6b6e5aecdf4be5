import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright'
import type { Browser } from 'playwright'
import { build } from 'vite'

// Debian's Chromium: Playwright cannot download its own browser on these machines.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })

const pageRoot = fileURLToPath(new URL('../../packages/devtools', import.meta.url))

/** Builds the devtools page fresh from its sources into a new temporary folder, so no test serves a stale dist/. */
export async function buildDevtoolsPage(name: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `tidings-${name}-`))
  await build({ root: pageRoot, configFile: join(pageRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } })
  return dir
}
