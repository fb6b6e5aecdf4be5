import { defineConfig } from 'vite'

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // @tidings/react is written against React's API: preact/compat provides it (and its
  // useSyncExternalStore) on Preact, so the shop ships Preact's ~4 KB instead of react-dom.
  resolve: { alias: [{ find: /^react(-dom)?$/, replacement: 'preact/compat' }] },
  // Loopback only: the dev server and the preview are for this machine.
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022' },
  // The totals worker imports the bus like the page does: a module worker, code-split as the page is.
  worker: { format: 'es' },
})
