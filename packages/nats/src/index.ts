export { natsTransport } from './transport'
export type { NatsTransportOptions } from './options'
