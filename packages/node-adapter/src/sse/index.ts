export { sseEndpoint } from './sse-endpoint'
export type { SseBus, SseEndpoint, SseEndpointOptions, SseStats } from './sse-endpoint'
