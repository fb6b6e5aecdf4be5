import type { CloudEventJSON, TrafficRecord } from '@tidings/core'

let counter = 0

export const envelope = (type: string, data: unknown = {}, extra: Partial<CloudEventJSON> = {}): CloudEventJSON => ({
  specversion: '1.0', id: `e${++counter}`, source: '/test', type, time: new Date(1_700_000_000_000 + counter).toISOString(), data, ...extra,
})

export const emitted = (env: CloudEventJSON, at = 1_700_000_000_000): TrafficRecord => ({ k: 'emitted', at, envelope: env })

/** The same event as a bus that received it through its transport reports it. */
export const received = (env: CloudEventJSON, at = 1_700_000_000_005): TrafficRecord => ({ k: 'emitted', at, envelope: env, remote: true })

export const outcome = (
  env: CloudEventJSON,
  k: Extract<TrafficRecord, { subscription: string }>['k'],
  subscription = 'handler',
  more: Partial<Extract<TrafficRecord, { subscription: string }>> = {},
): TrafficRecord => ({ k, at: 1_700_000_000_001, id: env.id, type: env.type, subscription, attempt: 1, durationMs: 2, ...more })
