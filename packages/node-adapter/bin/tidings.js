#!/usr/bin/env node
import('../dist/cli.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('tidings: @tidings/node is not built; run `npm run build` in the repository first')
    process.exit(1)
  }
  throw error
})
