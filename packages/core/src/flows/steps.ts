import type { Envelope } from '../envelope'
import type { EventMap, Keys, Pattern } from '../types'

type Emits<E> = Keys<E> | readonly Keys<E>[]
type DataOf<E, K> = K extends Keys<E> ? E[K] : unknown
type EnvelopeFor<E, K> = K extends Keys<E> ? Envelope<K, E[K]> : Envelope
/** The keys steps are typed by: each type of the catalog, or one loose key for untyped buses. */
type StepKeys<E> = string extends Keys<E> ? string : Keys<E>

/** `on` one type (or pattern): emit one or several types, in parallel. */
export type ReactionStep<E extends EventMap = EventMap> = {
  [K in StepKeys<E> | Pattern]: {
    name?: string
    on: K
    emit: Emits<E>
    /** Skip the step when false. Also the guard that makes a cycle legal. */
    when?: (data: DataOf<E, K>, envelope: EnvelopeFor<E, K>) => boolean
    /** The payload of each emitted type (default: the triggering payload). */
    map?: (data: DataOf<E, K>, envelope: EnvelopeFor<E, K>, type: Keys<E>) => unknown
  }
}[StepKeys<E> | Pattern]

/** If `expect` does not follow `on` (same correlation id) within `within` ms, emit. */
export type TimeoutStep<E extends EventMap = EventMap> = {
  [K in StepKeys<E>]: {
    name?: string
    on: K
    expect: Keys<E>
    within: number
    emit: Keys<E>
    /** The payload of the timeout event (default: the `on` event's payload). */
    map?: (data: DataOf<E, K>, envelope: EnvelopeFor<E, K>, type: Keys<E>) => unknown
  }
}[StepKeys<E>]

/** When every type of `join` has happened with one correlation id, emit. */
export interface JoinStep<E extends EventMap = EventMap> {
  name?: string
  join: readonly Keys<E>[]
  emit: Emits<E>
  /** Forget a partial join after this many ms (default 60,000). */
  within?: number
  /** The payload from the joined envelopes, by type (default: their payloads merged). */
  merge?: (events: Readonly<Record<string, Envelope>>, type: Keys<E>) => unknown
}

export type FlowStep<E extends EventMap = EventMap> = ReactionStep<E> | JoinStep<E> | TimeoutStep<E>

/** The loosest view of a step, for the code that runs it. */
export interface AnyStep {
  name?: string
  on?: string
  join?: readonly string[]
  expect?: string
  within?: number
  emit: string | readonly string[]
  when?: (data: unknown, envelope: Envelope) => boolean
  map?: (data: unknown, envelope: Envelope, type: string) => unknown
  merge?: (events: Readonly<Record<string, Envelope>>, type: string) => unknown
}

export const isJoin = (step: AnyStep): boolean => step.join !== undefined
export const isTimeout = (step: AnyStep): boolean => step.expect !== undefined
export const emitsOf = (step: AnyStep): readonly string[] => (typeof step.emit === 'string' ? [step.emit] : step.emit)
export const triggersOf = (step: AnyStep): readonly string[] => step.join ?? (step.on === undefined ? [] : [step.on])

/** The key that ties the events of one operation together. */
export const correlationOf = (e: Envelope): string => e.correlationid ?? e.id
