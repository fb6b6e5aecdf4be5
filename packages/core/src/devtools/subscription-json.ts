/** One subscription of a producer's bus, as the `subscriptions` command lists it. */
export interface SubscriptionJSON {
  /** The type, pattern or `*` it listens to. */
  on: string
  name: string
  /** Subscribed with a name (`{ name }`): one delivery per event across processes sharing a transport. */
  named: boolean
  /** The retry policy its failed deliveries follow, when the bus has retry(). */
  retry?: { attempts: number; initialMs: number; factor: number; maxMs: number; jitter: number }
}
