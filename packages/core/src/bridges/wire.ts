import type { CloudEventJSON } from '@tidings/core'

/** Marks our messages on a channel or port that other code may share. */
export const WIRE = 'tidings/1'

/**
 * What bridges post to each other. `from` names the sending bridge, so that nothing is taken
 * back by the bridge that sent it.
 */
export type WireMessage =
  | { readonly w: typeof WIRE; readonly kind: 'event'; readonly from: string; readonly event: CloudEventJSON }
  /** The sender's events so far are in the shared log: leaders of named subscriptions read it. */
  | { readonly w: typeof WIRE; readonly kind: 'logged'; readonly from: string }

export const isWireMessage = (value: unknown): value is WireMessage =>
  typeof value === 'object' && value !== null && (value as { w?: unknown }).w === WIRE

/** A random name for one bridge instance. */
export const bridgeId = (): string => Math.random().toString(36).slice(2, 12).padEnd(10, '0')
