import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import { PlainSummary } from './test/support/plain-summary'

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// A new object per project: vitest names each project's browser instances on the object itself.
const chromium = () => ({
  enabled: true,
  headless: true,
  provider: playwright({ launchOptions: { executablePath, args: CHROMIUM_ARGS } }),
  instances: [{ browser: 'chromium' as const }],
})
const PREACT_TESTS = 'packages/react/test/preact/**/*.browser.test.ts'
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src`, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the sources, so no build is needed before `vitest run`.
    alias: [
      { find: /^@tidings\/core$/, replacement: `${src('core')}/index.ts` },
      { find: /^@tidings\/core\/(.*)$/, replacement: `${src('core')}/$1/index.ts` },
      { find: /^@tidings\/node$/, replacement: `${src('node-adapter')}/index.ts` },
      { find: /^@tidings\/nats$/, replacement: `${src('nats')}/index.ts` },
      { find: /^@tidings\/react$/, replacement: `${src('react')}/index.ts` },
      { find: /^@tidings\/vue$/, replacement: `${src('vue')}/index.ts` },
    ],
  },
  test: {
    reporters: ['default', new PlainSummary()],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.browser.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['packages/*/test/**/*.browser.test.ts', 'test/**/*.browser.test.ts'],
          exclude: ['**/node_modules/**', PREACT_TESTS],
          // A devtools hub and a nats-server in Node, for connectDevtools and natsTransport over the browser's own WebSocket.
          globalSetup: ['packages/core/test/devtools/hub.global-setup.ts', 'packages/nats/test/server.global-setup.ts'],
          browser: chromium(),
        },
      },
      {
        extends: true,
        // @tidings/react on Preact: what an app gets by aliasing react to preact/compat.
        resolve: { alias: [{ find: /^react(-dom)?$/, replacement: 'preact/compat' }] },
        test: { name: 'preact', include: [PREACT_TESTS], browser: chromium() },
      },
    ],
  },
})
