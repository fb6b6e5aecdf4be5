export { createCodec } from './codec'
export type { Codec, CodecOptions, DecodedEnvelope } from './codec'
export {
  CLOUDEVENTS_BATCH_CONTENT_TYPE, CLOUDEVENTS_CONTENT_TYPE, fromCloudEvent, fromCloudEventBatch, toCloudEvent, toCloudEventBatch,
} from './cloudevents'
export type { CloudEvent, CloudEventOptions } from './cloudevents'
export { ndjsonLines } from './ndjson'
export type { Chunks, NdjsonLine } from './ndjson'
export { replayLog } from './replay'
export type { ReplayFailure, ReplayOptions, ReplayReport, ReplaySource } from './replay'
