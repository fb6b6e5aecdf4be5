import { resolve } from 'node:path'
import type { CommandValues, DeadLetterEntry, Store } from '@tidings/core'
import { parse, refuseOptions } from './args'
import { CliError, ExitCode, usageError } from './exit-codes'
import { deadLetterJSON, deadLetterLine } from './format'
import { HUB_OPTIONS, HUB_OPTIONS_HELP, hubAccess } from './hub-access'
import type { HubAccess } from './hub-access'
import { CommandFailed, ownerOf } from './hub-client'
import type { OwnerSession } from './hub-client'
import { openStore, storeError } from './open-store'
import type { Io } from './output'
import { typeFilter } from './type-filter'

export const DLQ_HELP = `Usage: tidings dlq <list|retry|discard|purge> <dir> [options]

Works on the dead-letter queue of a file store.

  list <dir>               print the dead letters (id, type, subscription, attempts, error)
  retry <dir> [id…]        re-deliver entries to their handlers; needs the process that owns
                           the store, reached through the devtools hub (--hub)
  discard <dir> <id…>      remove entries
  purge <dir> --yes        remove every entry

Options:
  --type <pattern>         list/retry: only entries of these types (repeatable)
  --subscription <name>    list/retry: only entries of this subscription
  --all                    retry: every entry
${HUB_OPTIONS_HELP}
                           retry goes through the process that owns the store: it must be
                           connected with connectDevtools(bus, { url, storeDir: <dir> }), its
                           bus created with deadLetters() and observe() (or standard()).
                           Discard and purge go through it when it is connected, and write
                           the store directly when no process holds it.
  --yes                    purge: confirm
  --json                   list: one JSON object per line
  -h, --help               show this help

Exit codes: 0 done, 1 some entries failed again or were not found, 2 bad options,
3 the owning process or the hub is not reachable (or the process holds the store's lock),
4 no store at <dir>, 5 the hub refused the token.`

const ownerMissing = (dir: string, what: string) => new CliError(ExitCode.UNAVAILABLE,
  `${what} needs the process that owns ${dir}, and none is reachable. Start it with ` +
  `connectDevtools(bus, { url, storeDir: '${resolve(dir)}' }) (a bus with deadLetters() and observe(), e.g. standard()) while \`tidings devtools\` runs, ` +
  'then pass --hub <the printed URL>.')

const matchesFilter = (entry: DeadLetterEntry, type: ((t: string) => boolean) | undefined, subscription: string | undefined) =>
  (!type || type(entry.envelope.type)) && (subscription === undefined || entry.subscription === subscription)

async function withStore<T>(io: Io, dir: string, readOnly: boolean, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(dir, readOnly, (line) => io.err(io.errColor.yellow(line)))
  try {
    return await work(store)
  } catch (error) {
    throw error instanceof CliError ? error : storeError(error)
  } finally {
    await store.close()
  }
}

/** Runs `work` through the owning process when a hub is given and knows it; undefined when none owns the store. */
async function viaOwner<T>(hub: HubAccess | undefined, dir: string, work: (owner: OwnerSession) => Promise<T>): Promise<T | undefined> {
  if (hub === undefined) return undefined
  const owner = await ownerOf(hub, dir)
  if (owner === undefined) return undefined
  try {
    return await work(owner)
  } catch (error) {
    if (error instanceof CommandFailed) throw new CliError(ExitCode.FAILED, `${owner.producer.name}: ${error.message}`)
    throw error
  } finally {
    owner.close()
  }
}

type Action = 'list' | 'retry' | 'discard' | 'purge'

const HUB = Object.keys(HUB_OPTIONS)
const OPTIONS_OF: Record<Action, string[]> = {
  list: ['type', 'subscription', 'json'],
  retry: ['type', 'subscription', 'all', ...HUB],
  discard: HUB,
  purge: ['yes', ...HUB],
}

export async function dlqCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    type: { type: 'string', multiple: true },
    subscription: { type: 'string' },
    all: { type: 'boolean' },
    ...HUB_OPTIONS,
    yes: { type: 'boolean' },
    json: { type: 'boolean' },
  }, 'dlq')
  const [action, dir, ...ids] = positionals
  if (values.help) {
    io.out(DLQ_HELP)
    return ExitCode.OK
  }
  if (action === undefined || !['list', 'retry', 'discard', 'purge'].includes(action)) {
    throw usageError(`tidings dlq needs an action: list, retry, discard or purge${action ? `, got "${action}"` : ''} (see tidings dlq --help)`)
  }
  if (dir === undefined) throw usageError(`tidings dlq ${action} needs the store directory (see tidings dlq --help)`)
  refuseOptions(values, OPTIONS_OF[action as Action], `tidings dlq ${action}`, 'dlq')
  const c = io.color

  if (action === 'list') {
    if (ids.length) throw usageError(`tidings dlq list takes one directory, got also "${ids[0]}"`)
    const type = typeFilter(values.type ?? [])
    const entries = (await withStore(io, dir, true, (store) => store.listDeadLetters()))
      .filter((e) => matchesFilter(e, type, values.subscription))
    for (const entry of entries) io.out(values.json ? deadLetterJSON(entry) : deadLetterLine(entry, c))
    if (!values.json) io.err(io.errColor.dim(`${entries.length} dead letter${entries.length === 1 ? '' : 's'} in ${dir}`))
    return ExitCode.OK
  }

  const hub = hubAccess(values, io)
  if (action === 'retry') {
    const filters = values.type?.length || values.subscription !== undefined
    if (!ids.length && !filters && !values.all) throw usageError('tidings dlq retry needs entry ids, a --type / --subscription filter, or --all')
    if (ids.length && (filters || values.all)) throw usageError('tidings dlq retry takes entry ids or filters, not both')
    // A wrong directory is exit code 4, whether or not a hub is given.
    await withStore(io, dir, true, async () => {})
    const targets: Array<Record<string, unknown>> = ids.length
      ? ids.map((id) => ({ id }))
      : (values.type?.length ? values.type : ['**']).map((type) => ({ type, ...(values.subscription !== undefined && { subscription: values.subscription }) }))
    const results = await viaOwner(hub, dir, async (owner) => {
      const out: Array<CommandValues['dlq.retry']> = []
      for (const args of targets) out.push((await owner.run('dlq.retry', args)) as CommandValues['dlq.retry'])
      return out
    })
    if (results === undefined) throw ownerMissing(dir, 'Retrying dead letters')
    const succeeded = results.flatMap((r) => r.succeeded)
    const failed = results.flatMap((r) => r.failed)
    for (const id of succeeded) io.out(`${c.green('retried')}  ${id}`)
    for (const f of failed) io.out(`${c.red('failed')}   ${f.id}  ${f.error.name}: ${f.error.message}`)
    if (!succeeded.length && !failed.length) io.err(io.errColor.dim('No dead letters matched.'))
    return failed.length ? ExitCode.FAILED : ExitCode.OK
  }

  if (action === 'discard') {
    if (!ids.length) throw usageError('tidings dlq discard needs the ids of the entries to remove (tidings dlq list shows them)')
    const viaHub = await viaOwner(hub, dir, async (owner) => {
      const removed: boolean[] = []
      for (const id of ids) removed.push(((await owner.run('dlq.discard', { id })) as CommandValues['dlq.discard']).discarded)
      return removed
    })
    const removed = viaHub ?? await withStore(io, dir, false, async (store) => {
      const present = new Set((await store.listDeadLetters()).map((e) => e.id))
      const out: boolean[] = []
      for (const id of ids) {
        out.push(present.has(id))
        if (present.has(id)) await store.deleteDeadLetter(id)
      }
      await store.flush()
      return out
    })
    ids.forEach((id, i) => io.out(removed[i] ? `${c.green('discarded')}  ${id}` : `${c.red('not found')}  ${id}`))
    return removed.every(Boolean) ? ExitCode.OK : ExitCode.FAILED
  }

  if (ids.length) throw usageError(`tidings dlq purge takes one directory, got also "${ids[0]}"`)
  if (!values.yes) throw usageError('tidings dlq purge removes every dead letter: add --yes to confirm')
  const viaHub = await viaOwner(hub, dir, async (owner) => ((await owner.run('dlq.purge', {})) as CommandValues['dlq.purge']).purged)
  const purged = viaHub ?? await withStore(io, dir, false, async (store) => {
    const entries = await store.listDeadLetters()
    for (const entry of entries) await store.deleteDeadLetter(entry.id)
    await store.flush()
    return entries.length
  })
  io.out(`${c.green('purged')}  ${purged} dead letter${purged === 1 ? '' : 's'}`)
  return ExitCode.OK
}
