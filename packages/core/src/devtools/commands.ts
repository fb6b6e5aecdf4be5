import * as v from 'valibot'
import type { CloudEventJSON, Envelope } from '../envelope'
import { TidingsError, isTidingsError } from '../errors'
import type { DeadLetterEntry } from '../store/types'
import type { DeadLetterQueue } from '../types'
import type { DevtoolsBus } from './connect'
import { observedKernel } from '../features/observe/observed-kernel'
import type { Kernel } from '../kernel/feature'
import { describeThrown } from './describe-error'
import { listSubscriptions, replayInto } from './subscriptions'
import type { BusErrorJSON, CommandArgs, CommandName, CommandValues, DeadLetterJSON, ProducerFeature, WireError } from './protocol'

/** What a command handler needs from the connection besides the bus. */
export interface CommandContext {
  bus: DevtoolsBus
  /** The envelope as it may leave the process (after `redact`), or undefined when hidden. */
  expose(envelope: Envelope): CloudEventJSON | undefined
  setPaused(paused: boolean): void
  /** The errors the bus reported lately, the latest first, and how many in all. */
  busErrors(limit: number): { errors: BusErrorJSON[]; total: number }
}

const str = v.optional(v.pipe(v.string(), v.maxLength(500)))
const limit = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)))
const empty = v.looseObject({})

const argSchemas = {
  'dlq.list': v.looseObject({ type: str, subscription: str, limit }),
  'dlq.retry': v.pipe(
    v.looseObject({ id: str, type: str, subscription: str }),
    v.check((a) => a.id !== undefined || a.type !== undefined || a.subscription !== undefined, 'name an entry id, or a type or subscription filter'),
  ),
  'dlq.discard': v.looseObject({ id: v.string() }),
  'dlq.purge': empty,
  dispatch: v.looseObject({
    type: v.string(),
    data: v.optional(v.unknown()),
    correlationid: str,
    causationid: str,
    extensions: v.optional(v.record(v.string(), v.union([v.string(), v.number(), v.boolean()]))),
  }),
  pause: v.looseObject({ paused: v.boolean() }),
  metrics: empty,
  history: v.looseObject({ type: str, limit, order: v.optional(v.picklist(['asc', 'desc'])) }),
  errors: v.looseObject({ limit }),
  subscriptions: empty,
  replay: v.looseObject({
    event: v.looseObject({ specversion: v.literal('1.0'), id: v.string(), source: v.string(), type: v.string() }),
    subscription: v.pipe(v.string(), v.minLength(1), v.maxLength(500)),
    attempt: v.pipe(v.number(), v.integer(), v.minValue(1)),
    data: v.optional(v.looseObject({ value: v.unknown() })),
  }),
} satisfies { [N in CommandName]: v.GenericSchema<unknown, unknown> }

type Handlers = { [N in CommandName]: (args: CommandArgs[N], ctx: CommandContext) => Promise<CommandValues[N]> | CommandValues[N] }

const deadLetterJSON = (entry: DeadLetterEntry, ctx: CommandContext): DeadLetterJSON | undefined => {
  const envelope = ctx.expose(entry.envelope)
  if (envelope === undefined) return undefined
  return {
    id: entry.id, envelope, subscription: entry.subscription, attempts: entry.attempts,
    firstFailedAt: entry.firstFailedAt, lastFailedAt: entry.lastFailedAt, error: entry.error,
  }
}

/** The feature a command needs, as `createBus` takes it, for the error when the bus lacks it. */
const FEATURE_OF: Record<ProducerFeature, string> = { dlq: 'deadLetters()', metrics: 'metrics()', history: 'history()' }

/** An API of the bus a command needs; refuses the command, saying what to add, when the bus lacks it. */
const need = <K extends ProducerFeature>(ctx: CommandContext, api: K, command: CommandName): NonNullable<DevtoolsBus[K]> => {
  const value = ctx.bus[api]
  if (value === undefined) {
    throw new TidingsError('E_DEVTOOLS_PROTOCOL', `This producer cannot run "${command}": its bus has no ${api}; create it with ${FEATURE_OF[api]} (or standard())`, {
      details: { command, needs: api },
    })
  }
  return value as NonNullable<DevtoolsBus[K]>
}

const dlq = (ctx: CommandContext, command: CommandName): DeadLetterQueue => need(ctx, 'dlq', command)

const kernelOf = (ctx: CommandContext, command: CommandName): Kernel => {
  const kernel = observedKernel.get(ctx.bus)
  if (kernel === undefined) throw new TidingsError('E_DEVTOOLS_PROTOCOL', `This producer cannot run "${command}": its bus has no observe() of this version; create it with observe() (or standard())`)
  return kernel
}

const handlers: Handlers = {
  async 'dlq.list'(args, ctx) {
    const entries = await dlq(ctx, 'dlq.list').list(args)
    return { entries: entries.flatMap((e) => deadLetterJSON(e, ctx) ?? []) }
  },
  'dlq.retry': (args, ctx) => dlq(ctx, 'dlq.retry').retry(args.id ?? { type: args.type, subscription: args.subscription }),
  'dlq.discard': async (args, ctx) => ({ discarded: await dlq(ctx, 'dlq.discard').discard(args.id) }),
  'dlq.purge': async (_args, ctx) => ({ purged: await dlq(ctx, 'dlq.purge').purge() }),
  dispatch(args, ctx) {
    const envelope = ctx.bus.emit(args.type, args.data, {
      correlationid: args.correlationid, causationid: args.causationid, extensions: args.extensions,
    })
    return { envelope: ctx.expose(envelope) ?? { specversion: '1.0', id: envelope.id, source: envelope.source, type: envelope.type } }
  },
  pause(args, ctx) {
    ctx.setPaused(args.paused)
    return { paused: args.paused }
  },
  metrics: (_args, ctx) => ({ snapshot: need(ctx, 'metrics', 'metrics').call(ctx.bus) }),
  async history(args, ctx) {
    const envelopes = await need(ctx, 'history', 'history').call(ctx.bus, args)
    return { envelopes: envelopes.flatMap((e) => ctx.expose(e) ?? []) }
  },
  errors: (args, ctx) => ctx.busErrors(args.limit ?? 100),
  subscriptions: (_args, ctx) => ({ subscriptions: listSubscriptions(kernelOf(ctx, 'subscriptions')) }),
  replay: (args, ctx) => replayInto(kernelOf(ctx, 'replay'), args.event, args.subscription, args.attempt, args.data),
}

/** Error details must survive JSON: anything that does not is left out. */
const jsonDetails = (details: Record<string, unknown> | undefined): Record<string, unknown> | undefined => {
  if (details === undefined) return undefined
  try {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** A bus error as data: its details when they survive JSON, its stack for the page's detail. */
export const busErrorJSON = (error: TidingsError, at: number): BusErrorJSON => {
  const details = jsonDetails(error.details)
  return { at, code: error.code, name: error.name, message: error.message, ...(error.stack && { stack: error.stack }), ...(details && { details }) }
}

export const toWireError = (error: unknown): WireError => {
  if (isTidingsError(error)) {
    const details = jsonDetails(error.details)
    return details ? { code: error.code, message: error.message, details } : { code: error.code, message: error.message }
  }
  let message: string
  try {
    message = error instanceof Error ? String(error.message) : describeThrown(error)
  } catch {
    message = describeThrown(error)
  }
  return { code: 'E_INTERNAL', message }
}

/** Runs one devtools command with the bus's own API. Rejects with a TidingsError. */
export async function runCommand(name: string, args: Record<string, unknown>, ctx: CommandContext): Promise<unknown> {
  if (!Object.hasOwn(argSchemas, name)) {
    throw new TidingsError('E_DEVTOOLS_PROTOCOL', `Unknown devtools command "${name}": this producer runs ${Object.keys(argSchemas).join(', ')}`)
  }
  const command = name as CommandName
  const parsed = v.safeParse(argSchemas[command], args)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    throw new TidingsError('E_DEVTOOLS_PROTOCOL', `Bad arguments for devtools command "${name}"${v.getDotPath(issue) ? ` at "${v.getDotPath(issue)}"` : ''}: ${issue.message}`)
  }
  const handler = handlers[command] as (args: unknown, ctx: CommandContext) => unknown
  return handler(parsed.output, ctx)
}
