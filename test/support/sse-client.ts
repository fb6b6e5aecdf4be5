import { request } from 'node:http'
import type { IncomingMessage } from 'node:http'

export interface SseMessage {
  id?: string
  event?: string
  data?: string
}

/** A raw SSE reader: what a browser's EventSource would see, plus the comment lines it hides. */
export interface SseConnection {
  readonly status: number
  readonly messages: SseMessage[]
  readonly comments: number
  readonly response: IncomingMessage
  /** Resolves once `count` messages arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<SseMessage[]>
  close(): void
}

export const connectSse = (url: string, headers: Record<string, string> = {}): Promise<SseConnection> =>
  new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const messages: SseMessage[] = []
      const waiters = new Set<() => void>()
      let comments = 0
      let buffer = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const message: SseMessage = {}
          let isComment = true
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue
            isComment = false
            const colon = line.indexOf(':')
            const field = line.slice(0, colon)
            const value = line.slice(colon + 1).replace(/^ /, '')
            if (field === 'id' || field === 'event' || field === 'data') message[field] = value
          }
          if (isComment) comments++
          else if (message.data !== undefined) messages.push(message)
          for (const wake of waiters) wake()
        }
      })
      resolve({
        status: response.statusCode ?? 0,
        messages,
        get comments() {
          return comments
        },
        response,
        waitFor: (count, timeoutMs = 5000) => new Promise((done, fail) => {
          const timer = setTimeout(() => fail(new Error(`${messages.length} of ${count} SSE messages after ${timeoutMs} ms`)), timeoutMs)
          const check = () => {
            if (messages.length < count) return
            clearTimeout(timer)
            waiters.delete(check)
            done(messages.slice(0, count))
          }
          waiters.add(check)
          check()
        }),
        close: () => req.destroy(),
      })
    })
    req.on('error', reject)
    req.end()
  })
