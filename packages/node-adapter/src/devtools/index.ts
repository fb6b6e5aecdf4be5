export { startDevtoolsHub } from './start-hub'
export type { DevtoolsHub, DevtoolsHubOptions } from './start-hub'
export type { HubStats } from './relay'
