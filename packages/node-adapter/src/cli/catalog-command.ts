import { resolve } from 'node:path'
import { checkCatalog, snapshotCatalog } from '@tidings/core'
import type { CatalogSnapshot, CompatibilityReport } from '@tidings/core'
import { parse } from './args'
import { readGolden, readSnapshotFile, writeSnapshotFile } from './catalog-files'
import { loadCatalog } from './catalog-load'
import { ExitCode, usageError } from './exit-codes'
import type { Io } from './output'

export const CATALOG_HELP = `Usage: tidings catalog <snapshot|check> --catalog <module>[#export] [options]

Guards a catalog's schemas in CI. \`snapshot\` writes each type's JSON Schema, schema library and
examples per version to a file you commit; \`check\` compares the current catalog with it and
fails when a type's schema changed without a version bump, a version bump has no upcaster, an
upcaster's output does not validate for the snapshot's examples, or a golden event no longer
decodes. <module> is a .js, .mjs or .ts file (TypeScript is bundled with esbuild) exporting the
defineCatalog() result as \`catalog\`, as default, or as the name after #.

Options:
  --catalog <module>     the module exporting the catalog (required)
  --snapshot <file>      the snapshot file (default catalog.snapshot.json)
  --golden <path>        check: events that must still decode: .ndjson/.jsonl lines, .json
                         (one event or an array), or a directory of such files (repeatable)
  --strict               check: a type or version missing from the snapshot fails too
  --json                 check: one JSON object per problem or note
  --force                snapshot: write even when the check finds problems
  --prune                snapshot: drop types the catalog no longer defines
  -h, --help             show this help

Output: one line per problem, "<type> v<version> <path>: <what changed and what to do>".
Exit codes: 0 compatible (or snapshot written), 1 problems found (snapshot: not written),
2 bad command line, no snapshot to check against, or a catalog module that cannot be loaded.`

const DEFAULT_SNAPSHOT = 'catalog.snapshot.json'

function printReport(report: CompatibilityReport, io: Io, json: boolean): void {
  for (const p of report.problems) {
    io.out(json ? JSON.stringify({ kind: 'problem', ...p }) : `${io.color.bold(p.type)} v${p.version} ${p.path || '-'}: ${io.color.red(p.message)}`)
  }
  for (const n of report.notes) {
    io.out(json ? JSON.stringify({ kind: 'note', ...n }) : `${io.color.bold(n.type)} v${n.version} -: ${io.color.yellow(n.message)}`)
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** The snapshot file: where it is, and how the user named it (for messages). */
interface SnapshotFile {
  path: string
  name: string
}

async function snapshot(values: { force?: boolean; prune?: boolean }, catalogSpec: string, file: SnapshotFile, io: Io): Promise<number> {
  const catalog = await loadCatalog(catalogSpec)
  const previous = await readSnapshotFile(file.path)
  if (previous !== undefined && !values.force) {
    const report = checkCatalog(catalog, previous)
    if (report.problems.length > 0) {
      printReport({ problems: report.problems, notes: [] }, io, false)
      io.err(io.errColor.red(`${plural(report.problems.length, 'problem')}: ${file.name} not written (a snapshot records compatible changes only; --force to record anyway)`))
      return ExitCode.FAILED
    }
  }
  const next: CatalogSnapshot = snapshotCatalog(catalog, { ...(previous && { previous }), prune: values.prune === true })
  await writeSnapshotFile(file.path, next)
  io.err(`${file.name}: ${plural(Object.keys(next.types).length, 'type')} written`)
  return ExitCode.OK
}

async function check(values: { golden?: string[]; strict?: boolean; json?: boolean }, catalogSpec: string, file: SnapshotFile, io: Io): Promise<number> {
  const catalog = await loadCatalog(catalogSpec)
  const committed = await readSnapshotFile(file.path)
  if (committed === undefined) throw usageError(`No snapshot at ${file.name}: write one with tidings catalog snapshot --catalog ${catalogSpec} and commit it`)
  const report = checkCatalog(catalog, committed, { golden: await readGolden(values.golden ?? []) })
  printReport(report, io, values.json === true)
  const failing = report.problems.length + (values.strict ? report.notes.length : 0)
  if (failing > 0) {
    io.err(io.errColor.red(`${plural(failing, 'problem')} against ${file.name}`))
    return ExitCode.FAILED
  }
  io.err(io.errColor.green(`compatible with ${file.name} (${plural(catalog.definitions.size, 'type')})`))
  return ExitCode.OK
}

export async function catalogCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    catalog: { type: 'string' },
    snapshot: { type: 'string' },
    golden: { type: 'string', multiple: true },
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
    force: { type: 'boolean' },
    prune: { type: 'boolean' },
  }, 'catalog')
  if (values.help) {
    io.out(CATALOG_HELP)
    return ExitCode.OK
  }
  const [action, extra] = positionals
  if (action !== 'snapshot' && action !== 'check') {
    throw usageError(`tidings catalog needs an action, snapshot or check${action === undefined ? '' : `, got "${action}"`} (see tidings catalog --help)`)
  }
  if (extra !== undefined) throw usageError(`tidings catalog ${action} takes no other argument, got "${extra}"`)
  if (values.catalog === undefined) throw usageError(`tidings catalog ${action} needs --catalog <module> (see tidings catalog --help)`)
  const misplaced = action === 'snapshot' ? (['golden', 'strict', 'json'] as const) : (['force', 'prune'] as const)
  for (const name of misplaced) if (values[name] !== undefined) throw usageError(`--${name} is not an option of tidings catalog ${action}`)
  const file = { path: resolve(values.snapshot ?? DEFAULT_SNAPSHOT), name: values.snapshot ?? DEFAULT_SNAPSHOT }
  return action === 'snapshot' ? snapshot(values, values.catalog, file, io) : check(values, values.catalog, file, io)
}
