export { connectDevtools } from './connect'
export type { DevtoolsBus, DevtoolsConnection, DevtoolsOptions, DevtoolsSocket, DevtoolsSocketConstructor, DevtoolsStats } from './connect'
export { devtoolsSocketURL } from './hub-url'
export { DEVTOOLS_MAX_DEPTH, DEVTOOLS_PROTOCOL_VERSION, decodeDevtoolsFrame, encodeDevtoolsFrame } from './protocol'
export type {
  BacklogFrame, BusErrorJSON, CatalogEntry, CatalogFrame, CommandArgs, CommandFrame, CommandName, CommandValues, DeadLetterJSON,
  DroppedFrame, ErrorFrame, FrameSender, FramesFrom, HubLimits, HubToProducerFrame, HubToViewerFrame, MetricsFrame,
  ProducerFeature, ProducerFrame, ProducerHelloFrame, ProducerInfo, ProducersFrame, RelayedMetricsFrame, RelayedResultFrame,
  RelayedTrafficFrame, ResultFrame, TrafficFrame, TrafficRecord, ViewerCommandFrame, ViewerFrame, ViewerHelloFrame,
  WelcomeFrame, WireError,
} from './protocol'
export type { SubscriptionJSON } from './subscription-json'
export type { Redact } from './traffic-queue'
