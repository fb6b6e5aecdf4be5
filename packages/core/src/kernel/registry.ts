import { TidingsError } from '../errors'
import { compilePattern, isPattern } from '../patterns'
import type { AnyHandler, HandlerMap, SubscribeOptions } from '../types'
import { SPECIFIC, WILDCARD } from './delivery'
import type { Kind, Subscription, Wrapped } from './delivery'
import type { Slot } from './slot'

type Call = (a: unknown, b: unknown, c?: unknown) => unknown

const NONE: readonly string[] = []
const noop = () => {}

const invalid = (message: string) => new TidingsError('E_INVALID_ARGUMENT', message)

const checkPattern = (key: string) => {
  for (const seg of key.split('.')) {
    if (seg === '' || (seg.includes('*') && seg !== '*' && seg !== '**')) {
      // The explanation is for development builds (guarded for browsers without process).
      throw invalid(typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `"${key}" is not a valid pattern: "*" matches one dot-separated segment and "**" one or more, each as a whole segment (e.g. "order.*")` : `pattern "${key}"`)
    }
  }
}

/**
 * The handler map, as mitt keeps it (type → the user's functions in plain arrays), plus what mitt
 * has no notion of: patterns, named subscriptions, `once`, abort signals.
 */
export const createRegistry = (all: HandlerMap) => {
  const patterns = new Map<string, RegExp>()
  const named = new Map<string, Wrapped>()
  const namedListeners = new Set<() => void>()

  const namedChanged = () => {
    for (const listener of namedListeners) listener()
  }

  /** Undoes what `subscribe` set up besides the map entry. */
  const release = (h: Wrapped) => {
    const sub = h.sub
    if (sub === undefined) return
    if (sub.abort) sub.signal!.removeEventListener('abort', sub.abort)
    if (sub.name !== undefined && named.get(sub.name) === h) {
      named.delete(sub.name)
      namedChanged()
    }
  }

  const remove = (key: string, h: Wrapped) => {
    const list = all.get(key)
    const i = list ? list.indexOf(h) : -1
    if (i < 0) return
    all.set(key, list!.filter((_, j) => j !== i))
    release(h)
  }

  const subscribe = (key: string, fn: AnyHandler, options: SubscribeOptions | undefined, once: boolean): (() => void) => {
    if (typeof fn !== 'function') throw invalid(`on("${key}"): the handler must be a function, got ${typeof fn}`)
    if (isPattern(key) && !patterns.has(key)) {
      checkPattern(key)
      patterns.set(key, compilePattern(key))
      state.version++
    }
    let h: Wrapped = fn
    if (options !== undefined || once) {
      if (options?.signal?.aborted) return noop
      const sub: Subscription = { fn, key, name: options?.name, signal: options?.signal, retry: options?.retry, abort: undefined }
      const wildcard = key === '*' || isPattern(key)
      const wrapper: Wrapped = (a: never, b: never, c: never) => {
        if (once) remove(key, wrapper)
        return wildcard ? (fn as Call)(a, b, c) : (fn as Call)(a, b)
      }
      wrapper.sub = sub
      h = wrapper
      if (sub.name !== undefined) {
        named.set(sub.name, wrapper)
        namedChanged()
      }
      if (sub.signal !== undefined) {
        sub.abort = () => remove(key, wrapper)
        sub.signal.addEventListener('abort', sub.abort, { once: true })
      }
    }
    // The map holds plain arrays, as mitt's does. Copied on write, never changed in place: a
    // dispatch walks the array it found without copying it (mitt copies on every emit), and a
    // handler added or removed meanwhile does not change that dispatch.
    const list = all.get(key) as Wrapped[] | undefined
    all.set(key, list ? [...list, h] : [h])
    let subscribed = true
    return () => {
      // Idempotent: a second call must not remove another registration of the same function.
      if (subscribed) remove(key, h)
      subscribed = false
    }
  }

  const off = (key: string, fn?: AnyHandler) => {
    const list = all.get(key) as Wrapped[] | undefined
    if (fn === undefined) {
      if (list) for (const h of list) release(h)
      // mitt's off(type): an empty list, not a deleted key.
      all.set(key, [])
      return
    }
    const found = list?.find((h) => h === fn) ?? list?.find((h) => h.sub?.fn === fn)
    if (found !== undefined) remove(key, found)
  }

  /** Pattern keys matching the slot's type, recomputed only after a new pattern was subscribed. */
  const patternsOf = (slot: Slot): readonly string[] => {
    if (slot.patternsVersion !== state.version) {
      const matches: string[] = []
      for (const [key, re] of patterns) if (re.test(slot.type)) matches.push(key)
      slot.matches = matches.length === 0 ? NONE : matches
      slot.patternsVersion = state.version
    }
    return slot.matches
  }

  const kindOf = (h: AnyHandler, slot: Slot): Kind | undefined => {
    if (all.get(slot.type)?.includes(h)) return SPECIFIC
    for (const key of [...patternsOf(slot), '*']) if (all.get(key)?.includes(h)) return WILDCARD
    return undefined
  }

  const state = {
    /** Bumped by each new pattern: slots compare it with theirs before reusing their matches. */
    version: 0,
    subscribe, off, patternsOf, kindOf, named,
    onNamedChange(listener: () => void) {
      namedListeners.add(listener)
      return () => void namedListeners.delete(listener)
    },
  }
  return state
}
