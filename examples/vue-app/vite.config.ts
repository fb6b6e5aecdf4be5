import { defineConfig } from 'vite'

export default defineConfig({
  // Vue's esm-bundler build reads these at build time: no Options API, no devtools in production.
  define: { __VUE_OPTIONS_API__: 'false', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
  // Loopback only: the dev server and the preview are for this machine.
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022' },
})
