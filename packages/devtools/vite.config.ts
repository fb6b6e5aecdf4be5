import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const core = fileURLToPath(new URL('../core/src/index.ts', import.meta.url))

export default defineConfig({
  // Relative asset URLs: the hub serves dist/ from its own root, and the files also work from any folder.
  base: './',
  resolve: {
    // The page is built from the core's sources, so a clean clone builds without building the core first.
    alias: [{ find: /^@tidings\/core$/, replacement: core }],
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  // `npm run dev -w @tidings/devtools`: the page with hot reload, talking to a running hub
  // (`tidings devtools`, port 7420 unless TIDINGS_DEVTOOLS_HUB says otherwise). Open it with the hub's ?token=….
  server: { proxy: { '/ws': { target: process.env.TIDINGS_DEVTOOLS_HUB ?? 'http://127.0.0.1:7420', ws: true } } },
})
