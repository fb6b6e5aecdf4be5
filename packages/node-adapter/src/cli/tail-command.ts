import type { Envelope, ReadQuery, Store } from '@tidings/core'
import { integer, parse, refuseOptions } from './args'
import { ExitCode, usageError } from './exit-codes'
import { HUB_OPTIONS, HUB_OPTIONS_HELP, hubAccess } from './hub-access'
import { eventLine } from './format'
import { openStore, storeError } from './open-store'
import { interrupted } from './interrupted'
import type { Io } from './output'
import { tailHub } from './tail-hub'
import { OUTCOMES, parseOutcomes } from './traffic-filter'
import { exactTypes, typeFilter } from './type-filter'

export const TAIL_HELP = `Usage: tidings tail <dir> [options]
       tidings tail --hub <url> [options]

With <dir>: prints the latest events of a file store, oldest first; with --follow, keeps printing
new ones. Reads without taking the store's lock, so it works next to the process that writes it.

With --hub: follows the live traffic of every bus connected to a running \`tidings devtools\` hub
until Ctrl+C: the latest lines the hub kept first, then one line per event and per handler
outcome (→ subscription delivered / failed / dead-lettered), as the devtools page shows them.
An event several buses report (through a transport) is printed once.

Options:
  --type <pattern>         only these types: exact, "order.*" or "order.**" (repeatable)
  --limit <n>              how many of the latest lines to print first (default 20; 0 = all)
  --json                   one JSON object per line: the event (CloudEvents JSON) from a store;
                           from a hub, the devtools protocol's traffic record with "producer"
                           and "bus" (its name)
  -h, --help               show this help

Store options:
  --follow, -f             keep printing events as they are written (Ctrl+C to stop)
  --interval <ms>          how often --follow polls the store (default 250)

Hub options (--hub follows by itself):
${HUB_OPTIONS_HELP}
  --bus <name>             only what this bus reported: its name, id or source (repeatable)
  --outcome <o>            only handler outcomes: ${OUTCOMES.join(', ')} (repeatable)

Exit codes: 0 done (Ctrl+C with --hub), 2 bad options, 3 the hub is not reachable or stopped,
4 no store at <dir> or unreadable, 5 the hub refused the token.`

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
    ...HUB_OPTIONS,
    bus: { type: 'string', multiple: true },
    outcome: { type: 'string', multiple: true },
  }, 'tail')
  if (values.help) {
    io.out(TAIL_HELP)
    return ExitCode.OK
  }
  const [dir, extra] = positionals
  if (extra !== undefined) throw usageError(`tidings tail takes one directory, got also "${extra}"`)
  const limit = integer(values.limit, 'limit', 20)
  if (dir === undefined) {
    refuseOptions(values, ['type', 'limit', 'follow', 'json', 'bus', 'outcome', ...Object.keys(HUB_OPTIONS)], 'tidings tail --hub', 'tail')
    const hub = hubAccess(values, io)
    if (hub === undefined) throw usageError('tidings tail needs a store directory or a hub: tidings tail <dir> or tidings tail --hub <url> (see tidings tail --help)')
    return tailHub(hub, { limit, json: values.json ?? false, type: typeFilter(values.type ?? []), buses: values.bus ?? [], outcomes: parseOutcomes(values.outcome ?? []) }, io)
  }
  if (values.hub !== undefined) throw usageError(`tidings tail reads a store directory or follows a hub, not both: got "${dir}" and --hub`)
  refuseOptions(values, ['type', 'limit', 'follow', 'interval', 'json'], 'tidings tail <dir>', 'tail')
  if (values.interval !== undefined && !values.follow) throw usageError('--interval sets how often --follow polls the store: add --follow, or leave it out')
  const interval = Math.max(10, integer(values.interval, 'interval', 250))
  const patterns = values.type ?? []
  const types = exactTypes(patterns)
  const matches = types ? undefined : typeFilter(patterns)
  const print = (envelope: Envelope) => io.out(values.json ? JSON.stringify(envelope) : eventLine(envelope, io.color))

  const store = await openStore(dir, true, (line) => io.err(io.errColor.yellow(line)))
  const interrupt = values.follow ? interrupted() : undefined
  try {
    const first = await latest(store, types, matches, limit)
    for (const record of first) print(record.envelope)
    if (!interrupt) return ExitCode.OK

    let after = first.at(-1)?.position ?? (await latest(store, undefined, undefined, 1))[0]?.position ?? 0
    while (!interrupt.received) {
      for await (const record of store.read({ after, ...(types && { types }) })) {
        after = record.position
        if (!matches || matches(record.envelope.type)) print(record.envelope)
      }
      await Promise.race([sleep(interval), interrupt.signal])
    }
    return ExitCode.OK
  } catch (error) {
    throw storeError(error)
  } finally {
    interrupt?.dispose()
    await store.close()
  }
}
