import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { CSV_HEADER } from './customer'

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus']
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Wirth']
const COUNTRIES = ['GB', 'US', 'NL', 'DE', 'FR', 'CH', 'SE', 'JP']

/** Mulberry32: a seeded generator, so the same seed writes the same file. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Writes `rows` customers to `path`; about one in a hundred is broken, as exports from real systems are. */
export async function generateCsv(path: string, rows: number, seed = 42): Promise<void> {
  const next = random(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!
  const out = createWriteStream(path)
  out.write(`${CSV_HEADER}\n`)
  for (let i = 1; i <= rows; i++) {
    const first = pick(FIRST)
    const last = pick(LAST)
    const day = new Date(Date.UTC(2020, 0, 1) + Math.floor(next() * 1800) * 86_400_000).toISOString().slice(0, 10)
    const broken = next() < 0.01
    const email = broken && next() < 0.5 ? `${first}.${last}-at-example.com` : `${first}.${last}${i}@example.com`.toLowerCase()
    const line = `c${i},${first} ${last},${email},${broken ? 'Europe' : pick(COUNTRIES)},${day}\n`
    if (!out.write(line)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}
