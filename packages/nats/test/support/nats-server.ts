// The same launcher `npm start -- --nats` uses: one place that knows how to run nats-server.
export { startNatsServer } from '../../../../scripts/start/nats-server.mjs'
export type { NatsServer } from '../../../../scripts/start/nats-server.mjs'
