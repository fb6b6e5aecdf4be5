import { startDevtoolsHub } from '@tidings/node'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The page URL of a hub the browser tests connect to (`http://127.0.0.1:PORT/?token=…`). */
    devtoolsUrl: string
  }
}

/** A real hub in Node for the browser tests: the browser's own WebSocket connects to it. */
export default async function setup(project: TestProject) {
  const hub = await startDevtoolsHub({ port: 0 })
  project.provide('devtoolsUrl', hub.url)
  return () => hub.close()
}
