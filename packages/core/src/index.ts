export { createBus } from './bus'
export { defineCatalog, defineEvent } from './catalog'
export type { Catalog, EventDefinition, EventOptions, EventsOf, Upcaster } from './catalog'
export { causedBy } from './envelope'
export type { CloudEventJSON, EmitOptions, Envelope, ExtensionValue, Extensions } from './envelope'
export { ErrorCode, TidingsError, isTidingsError } from './errors'
export type { TidingsErrorOptions } from './errors'
export type { LatencySummary, MetricsSnapshot, TypeMetrics } from './metrics'
export { memoryStore } from './store/memory-store'
export type { MemoryStoreOptions } from './store/memory-store'
export type { DeadLetterEntry, ErrorInfo, ReadQuery, Store, StoredRecord, TimeBound } from './store/types'
export type {
  AnyHandler, Backoff, Bus, BusOptions, DeadLetterFilter, DeadLetterQueue, DeadLetterRetryResult, DeliveryOutcome,
  DeliveryReport, EmitArgs, EnvelopeOf, EventMap, Handler, HandlerMap, HistoryQuery, Keys, MatchingKeys, Middleware, Observation,
  Pattern, Plugin, RetryPolicy, SubscribeOptions, WaitForOptions, WildcardHandler,
} from './types'
