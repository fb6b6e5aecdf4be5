// Side-by-side throughput in one process: every case runs in each round, the order rotated per
// round so that no case always runs first (JIT warm-up, GC debt); the figure is the median round.
import { performance } from 'node:perf_hooks'

const BATCH = 1000

const ROUND = `return async function timeRound(fn, ms, isAsync) {
  let ops = 0
  const start = performance.now()
  let elapsed = 0
  do {
    if (isAsync) for (let i = 0; i < BATCH; i++) await fn()
    else for (let i = 0; i < BATCH; i++) fn()
    ops += BATCH
    elapsed = performance.now() - start
  } while (elapsed < ms)
  return (ops / elapsed) * 1000
}`

/**
 * A timing loop of its own for each case: one shared loop's `fn()` call site would see every
 * case, go polymorphic and deoptimize, and whether a case's emit is then inlined into it varies
 * from run to run (0.5× or 0.8× mitt for the same code). Each copy compiled from source has its
 * own feedback, as each call site of an app has.
 */
const ownLoop = () => new Function('performance', 'BATCH', ROUND)(performance, BATCH)

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/**
 * cases: [{ name, fn, async? }]. Returns [{ name, hz, min, max, rounds }] (median ops/s over
 * rounds; `rounds` is every round's ops/s, in round order, for paired ratios).
 * Options: rounds (default 9), roundMs (default 250), warmupMs (default 300 per case).
 */
export async function compare(cases, { rounds = 9, roundMs = 250, warmupMs = 300 } = {}) {
  const loops = new Map(cases.map((c) => [c.name, ownLoop()]))
  for (const c of cases) await loops.get(c.name)(c.fn, warmupMs, c.async)
  const samples = new Map(cases.map((c) => [c.name, []]))
  for (let r = 0; r < rounds; r++) {
    const order = cases.map((_, i) => cases[(i + r) % cases.length])
    for (const c of order) samples.get(c.name).push(await loops.get(c.name)(c.fn, roundMs, c.async))
  }
  return cases.map((c) => {
    const xs = samples.get(c.name)
    return { name: c.name, hz: median(xs), min: Math.min(...xs), max: Math.max(...xs), rounds: xs }
  })
}

/**
 * A case against its peer, paired by round: the median of their per-round ratios, and its range.
 * Both ran in the same round, a moment apart, so a burst of load on the machine weighs on both.
 */
export function pairedRatio(row, peer) {
  const ratios = row.rounds.map((hz, i) => hz / peer.rounds[i])
  return { ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) }
}

export const fmt = (hz) => (hz >= 1e6 ? `${(hz / 1e6).toFixed(2)} M/s` : hz >= 1e3 ? `${(hz / 1e3).toFixed(1)} k/s` : `${hz.toFixed(0)} /s`)

/** A markdown table; `baseline` names the row the ratio column divides by. */
export function table(title, rows, baseline) {
  const base = rows.find((r) => r.name === baseline)?.hz
  const lines = [`### ${title}`, '', '| case | ops/s (median) | range | vs ' + baseline + ' |', '|---|---:|---:|---:|']
  for (const r of [...rows].sort((a, b) => b.hz - a.hz)) {
    lines.push(`| ${r.name} | ${fmt(r.hz)} | ${fmt(r.min)} – ${fmt(r.max)} | ${base ? (r.hz / base).toFixed(2) + '×' : ''} |`)
  }
  return lines.join('\n')
}
