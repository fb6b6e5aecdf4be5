import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream'
import type { JetStreamManager } from '@nats-io/jetstream'
import type { ResolvedOptions } from './options'

// The server answers this when another instance created the same stream a moment earlier.
const STREAM_NAME_IN_USE = 10058

/** Creates the events' stream, covering `<prefix>.>`, unless it exists (then it is used as it is). */
export const ensureStream = async (jsm: JetStreamManager, options: ResolvedOptions): Promise<void> => {
  try {
    await jsm.streams.info(options.stream)
    return
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error
  }
  try {
    await jsm.streams.add({ ...options.streamConfig, name: options.stream, subjects: [`${options.prefix}.>`] })
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error
  }
}
