export { createBus, defineFeature, defineStore } from './kernel'
export type { AnyFeature, ApiOf, Bus, BusWith, EventsIn, Feature, FeatureApi, Kernel, KernelOptions, Parts, Plugin } from './kernel'
export { deadLetters, history, metrics, observe, publish, retry, standard, transport, waitFor } from './features'
export type {
  DeadLettersApi, DeadLettersOptions, DeliveryOutcome, DeliveryReport, HistoryApi, HistoryOptions, MetricsApi, ObserveApi, PublishApi,
  RetryApi, StandardApi, StandardBus, StandardOptions, TransportApi,
} from './features'
export { defineCatalog, defineEvent } from './catalog'
export type {
  Catalog, CatalogEnvelope, EmitInput, EmitInputArgs, EventDefinition, EventOptions, EventsOf, SchemaInput, SchemaOutput, Upcaster,
} from './catalog'
export { checkCatalog, jsonSchemaOf, readSnapshot, schemaChanges, snapshotCatalog } from './schema'
export type {
  CatalogSnapshot, CheckOptions, CompatibilityCode, CompatibilityNote, CompatibilityProblem, CompatibilityReport, JsonSchema, SchemaChange,
  SnapshotOptions, SnapshotVersion, StandardJSONSchemaV1, StandardSchemaV1, StandardTypedV1,
} from './schema'
export { defineFlow } from './flows/define-flow'
export type { Flow, FlowDefinition } from './flows/define-flow'
export type { AnyStep, FlowStep, JoinStep, ReactionStep, TimeoutStep } from './flows/steps'
export { validateFlow } from './flows/validate-flow'
export type { FlowIssue } from './flows/validate-flow'
export { defineRule } from './rules/define-rule'
export type { RateRule, Rule, RuleDefinition, RuleMatch, ThresholdRule } from './rules/define-rule'
export { defineProgressEvents, trackProgress } from './progress/track-progress'
export type { Progress, ProgressSnapshot, TrackProgressOptions } from './progress/track-progress'
export { causedBy } from './envelope'
export type { CloudEventJSON, EmitOptions, Envelope, ExtensionValue, Extensions } from './envelope'
export { ErrorCode, TidingsError, isTidingsError } from './errors'
export type { TidingsErrorOptions } from './errors'
export type { NamedSubscription, Transport, TransportHost } from './transport'
export type { HistoryQuery, Stats, StatsGroup, StatsQuery } from './history'
export type { LatencySummary, MetricsSnapshot, TypeMetrics } from './metrics'
export { GroupCommit, SpaceRetry } from './store/group-commit'
export { memoryStore } from './store/memory-store'
export type { MemoryStoreOptions } from './store/memory-store'
export type { DeadLetterEntry, ErrorInfo, ReadQuery, Store, StoreBackend, StoredRecord, TimeBound } from './store/types'
export type {
  AnyHandler, Backoff, DeadLetterFilter, DeadLetterQueue, DeadLetterRetryResult, EmitArgs, EnvelopeOf, EventMap, Handler, HandlerMap, Keys,
  MatchingKeys, Middleware, Observation, Pattern, RetryPolicy, SubscribeOptions, WaitForOptions, WildcardHandler,
} from './types'
export { DEVTOOLS_PROTOCOL_VERSION, connectDevtools, decodeDevtoolsFrame, devtoolsSocketURL, encodeDevtoolsFrame } from './devtools'
export type * from './devtools'
export {
  CLOUDEVENTS_BATCH_CONTENT_TYPE, CLOUDEVENTS_CONTENT_TYPE, createCodec, fromCloudEvent, fromCloudEventBatch, ndjsonLines, replayLog,
  toCloudEvent, toCloudEventBatch,
} from './codec'
export type {
  Chunks, CloudEvent, CloudEventOptions, Codec, CodecOptions, DecodedEnvelope, NdjsonLine, ReplayFailure, ReplayOptions, ReplayReport, ReplaySource,
} from './codec'
export type {
  AnyBus, BindingSubscribeOptions, EventKey, EventsOfBus, HandlerFor, HasDeadLetters, HasHistory, HistoryEnvelope, HistoryQueryFor, TypesOf,
} from './binding-types'
