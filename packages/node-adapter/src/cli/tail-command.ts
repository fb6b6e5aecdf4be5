import type { Envelope, ReadQuery, Store } from '@tidings/core'
import { integer, parse } from './args'
import { ExitCode, usageError } from './exit-codes'
import { eventLine } from './format'
import { openStore, storeError } from './open-store'
import type { Io } from './output'
import { exactTypes, typeFilter } from './type-filter'

export const TAIL_HELP = `Usage: tidings tail <dir> [options]

Prints the latest events of a file store, oldest first; with --follow, keeps printing new ones.
Reads without taking the store's lock, so it works next to the process that writes it.

Options:
  --type <pattern>   only these types: exact, "order.*" or "order.**" (repeatable)
  --limit <n>        how many of the latest events to print first (default 20; 0 = all)
  --follow, -f       keep printing events as they are written (Ctrl+C to stop)
  --interval <ms>    how often --follow polls the store (default 250)
  --json             one CloudEvents JSON object per line
  -h, --help         show this help

Exit codes: 0 done, 2 bad options, 4 no store at <dir> or unreadable.`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The latest `limit` matching records (all when 0), oldest first. */
async function latest(store: Store, types: string[] | undefined, matches: ((type: string) => boolean) | undefined, limit: number) {
  const found: Array<{ position: number; envelope: Envelope }> = []
  const query: ReadQuery = { order: 'desc', ...(types && { types }), ...(limit > 0 && !matches && { limit }) }
  for await (const record of store.read(query)) {
    if (matches && !matches(record.envelope.type)) continue
    found.push(record)
    if (limit > 0 && found.length >= limit) break
  }
  return found.reverse()
}

export async function tailCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    type: { type: 'string', multiple: true },
    limit: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
    interval: { type: 'string' },
    json: { type: 'boolean' },
  }, 'tail')
  if (values.help) {
    io.out(TAIL_HELP)
    return ExitCode.OK
  }
  const [dir, extra] = positionals
  if (dir === undefined) throw usageError('tidings tail needs the store directory: tidings tail <dir> (see tidings tail --help)')
  if (extra !== undefined) throw usageError(`tidings tail takes one directory, got also "${extra}"`)
  const limit = integer(values.limit, 'limit', 20)
  const interval = Math.max(10, integer(values.interval, 'interval', 250))
  const patterns = values.type ?? []
  const types = exactTypes(patterns)
  const matches = types ? undefined : typeFilter(patterns)
  const print = (envelope: Envelope) => io.out(values.json ? JSON.stringify(envelope) : eventLine(envelope, io.color))

  const store = await openStore(dir, true, (line) => io.err(io.errColor.yellow(line)))
  try {
    const first = await latest(store, types, matches, limit)
    for (const record of first) print(record.envelope)
    if (!values.follow) return ExitCode.OK

    let after = first.at(-1)?.position ?? (await latest(store, undefined, undefined, 1))[0]?.position ?? 0
    let stopped = false
    const stop = () => void (stopped = true)
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      while (!stopped) {
        for await (const record of store.read({ after, ...(types && { types }) })) {
          after = record.position
          if (!matches || matches(record.envelope.type)) print(record.envelope)
        }
        await sleep(interval)
      }
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
    return ExitCode.OK
  } catch (error) {
    throw storeError(error)
  } finally {
    await store.close()
  }
}
