import { epochOf } from '../envelope'
import type { Envelope } from '../envelope'
import { TidingsError } from '../errors'
import { isPattern } from '../patterns'
import type { Bus, Plugin } from '../kernel/types'
import type { AnyHandler, EventMap, Keys, Pattern } from '../types'

/** What a rule's alert says, and the default payload of the event it emits. */
export interface RuleMatch {
  rule: string
  group: string
  count: number
  /** The window, in ms. */
  within: number
  /** RFC 3339 times of the first and last event of the window. */
  firstAt: string
  lastAt: string
  /** Ids of the events that fired the rule, oldest first. */
  ids: string[]
}

interface RuleCommon<E extends EventMap> {
  name?: string
  /** The type or pattern counted. */
  on: Keys<E> | Pattern
  /** Count per group (default: one group). */
  groupBy?: (data: unknown, envelope: Envelope) => string | undefined
  /** The alert's type. */
  emit: Keys<E>
  /** The alert's payload (default: the RuleMatch). */
  map?: (match: RuleMatch) => unknown
  /**
   * Groups tracked at most (default 10,000). When full, a group whose window has expired makes
   * room; if every group is still active, new groups are counted together as `'(other)'`.
   */
  maxGroups?: number
}

/** Fires when `count` events of one group happen within `within` ms. */
export interface ThresholdRule<E extends EventMap = EventMap> extends RuleCommon<E> {
  count: number
  within: number
}

/** Fires when more than `max` events happen within `per` ms (default 1,000: a rate per second). */
export interface RateRule<E extends EventMap = EventMap> extends RuleCommon<E> {
  rate: { max: number; per?: number }
}

export type RuleDefinition<E extends EventMap = EventMap> = ThresholdRule<E> | RateRule<E>

export interface Rule<E extends EventMap = EventMap> extends Plugin<E> {
  readonly name: string
  /** Groups currently tracked (bounded by maxGroups, plus `'(other)'`). */
  readonly groups: number
  /** Events counted under `'(other)'` because maxGroups active groups were tracked already. */
  readonly overflowed: number
}

/** The group of events whose own group found no room: an alert for it says so. */
const OVERFLOW_GROUP = '(other)'

/**
 * Aggregation alerts over a sliding window, per group. Memory is bounded whatever the number of
 * groups: each group keeps at most `count` timestamps, and at most `maxGroups` groups are kept.
 * After firing, a group starts counting afresh.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineRule<E extends EventMap = EventMap>(definition: RuleDefinition<E>): Rule<E> {
  const count = 'rate' in definition ? definition.rate.max + 1 : definition.count
  const within = 'rate' in definition ? definition.rate.per ?? 1000 : definition.within
  const name = definition.name ?? `rule:${definition.on}→${definition.emit}`
  const maxGroups = definition.maxGroups ?? 10_000
  if (!Number.isInteger(count) || count < 1 || !(within > 0) || !(maxGroups > 0)) {
    throw new TidingsError('E_INVALID_ARGUMENT', `Rule "${name}": count (or rate.max + 1) must be an integer ≥ 1, within (or rate.per) and maxGroups positive`, { details: { count, within, maxGroups } })
  }
  // Per group: the windows's events, oldest first. Map order doubles as recency for eviction.
  const groups = new Map<string, Envelope[]>()
  let overflowed = 0
  /** Where an event of a group not tracked yet is counted: its own group if there is room. */
  const room = (group: string, t: number): string => {
    while (groups.size >= maxGroups) {
      const [oldest, window] = groups.entries().next().value!
      // Least recently active first: once it is still active, so is every other.
      if (epochOf(window[window.length - 1]!) > t - within) {
        overflowed++
        return OVERFLOW_GROUP
      }
      groups.delete(oldest)
    }
    return group
  }
  return {
    name,
    get groups() {
      return groups.size
    },
    get overflowed() {
      return overflowed
    },
    install(target) {
      const bus = target as unknown as Bus
      const count_ = (data: unknown, envelope: Envelope) => {
        const key = definition.groupBy ? definition.groupBy(data, envelope) : ''
        if (key === undefined) return
        const t = epochOf(envelope)
        const group = groups.has(key) ? key : room(key, t)
        let window = groups.get(group)
        if (window === undefined) window = []
        else groups.delete(group)
        while (window.length && epochOf(window[0]!) <= t - within) window.shift()
        window.push(envelope)
        if (window.length > count) window.shift()
        if (window.length < count) {
          groups.set(group, window)
          return
        }
        const match: RuleMatch = {
          rule: name, group, count, within,
          firstAt: window[0]!.time, lastAt: envelope.time, ids: window.map((e) => e.id),
        }
        bus.emit(definition.emit, definition.map ? definition.map(match) : match)
      }
      const handler = isPattern(definition.on)
        ? (_type: string, data: unknown, envelope: Envelope) => count_(data, envelope)
        : count_
      const off = bus.on(definition.on as string, handler as AnyHandler as never, { name })
      return () => {
        off()
        groups.clear()
      }
    },
  }
}
