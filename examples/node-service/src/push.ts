import type { IncomingMessage } from 'node:http'
import type { Store } from '@tidings/core'
import { sseEndpoint } from '@tidings/node'
import type { SseEndpoint } from '@tidings/node'
import type { ServiceBus } from './bus'
import type { Middleware } from './http-server'

export const PUSH_PATH = '/events'

/** An order's statuses, as the shop page shows them; order.placed stays out (it names the customer). */
const PUSHED = ['order.reserved', 'payment.captured', 'order.shipped']

// Pages served from this machine (the shop's Vite server or preview on any port), as the devtools hub allows.
const LOOPBACK_ORIGIN = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/

/** No Origin header: curl, or the page's own origin; else a loopback one. */
const allowedOrigin = (req: IncomingMessage) => {
  const origin = req.headers.origin
  return origin === undefined || LOOPBACK_ORIGIN.test(origin)
}

/**
 * `GET /events`: the orders' statuses as Server-Sent Events, resumed from the file store after a
 * dropped connection. `POST /events`: a shop page that charged an order itself sends its
 * payment.captured, and the service ships the order (`shipping.ts`). The shop is served from
 * another port, so the stream answers loopback origins' CORS requests.
 */
export function orderPush(bus: ServiceBus, store: Store): Middleware & Pick<SseEndpoint, 'close' | 'stats'> {
  const events = sseEndpoint(bus, {
    store,
    types: PUSHED,
    accept: ['payment.captured'],
    authorize: allowedOrigin,
    path: PUSH_PATH,
  })
  const push: Middleware = (req, res, next) => {
    if (new URL(req.url ?? '/', 'http://service').pathname !== PUSH_PATH) return next()
    const origin = req.headers.origin
    if (origin !== undefined && allowedOrigin(req)) res.setHeader('access-control-allow-origin', origin).setHeader('vary', 'origin')
    // The upstream POST's content type (application/cloudevents-batch+json) makes the browser ask first.
    if (req.method === 'OPTIONS') {
      return void res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'content-type, last-event-id',
        'access-control-max-age': '600',
      }).end()
    }
    events(req, res, next)
  }
  return Object.assign(push, { close: events.close, stats: events.stats })
}
