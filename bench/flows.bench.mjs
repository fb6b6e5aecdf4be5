// What installed flows and rules cost an emit of a type they do not match: the same bus setup
// with and without them, in one process. Target (issue 8): flows add ≤ 10 %.
import { createBus, defineFlow, defineRule } from '../packages/core/dist/esm/index.js'
import { compare, table } from './harness.mjs'

const payload = { n: 1 }
const MASK = 0xffffff
let sink = 0

const busWith = (install) => {
  const bus = createBus()
  bus.on('app.tick', (data) => {
    sink = (sink + data.n) & MASK
  })
  install(bus)
  return bus
}

const plain = busWith(() => {})
const withFlow = busWith((bus) => {
  bus.use(defineFlow({
    name: 'commit',
    steps: [
      { on: 'changes.detected', emit: 'validation.requested' },
      { on: 'commit.created', emit: ['issues.detect', 'audit.log'] },
      { join: ['issues.detected', 'audit.logged'], emit: 'commit.checked' },
      { on: 'commit.requested', expect: 'commit.created', within: 30_000, emit: 'commit.timeout' },
    ],
  }))
})
const withPatterns = busWith((bus) => {
  bus.use(defineFlow({ name: 'jobs', steps: [{ on: 'job.*', emit: 'seen.job' }, { on: 'deploy.**', emit: 'seen.deploy' }] }))
  bus.use(defineRule({ on: 'job.failed', count: 3, within: 60_000, emit: 'alert.raised' }))
})

const cases = [
  { name: 'no flow', fn: () => plain.emit('app.tick', payload) },
  { name: 'commit flow (4 steps, exact types)', fn: () => withFlow.emit('app.tick', payload) },
  { name: 'pattern flows + a rule', fn: () => withPatterns.emit('app.tick', payload) },
]

const rows = await compare(cases, { rounds: 9, roundMs: 200 })
console.log(`## flows (Node ${process.version})\n`)
console.log(table('emit of a type no flow matches, 1 listener', rows, 'no flow'))
const base = rows.find((r) => r.name === 'no flow').hz
const worst = Math.min(...rows.filter((r) => r.name !== 'no flow').map((r) => r.hz))
const overhead = (base / worst - 1) * 100
console.log(`\nTarget flows add ≤ 10 % to an unmatched emit: ${overhead <= 10 ? 'met' : 'not met'} (worst case ${overhead.toFixed(1)} %)`)
if (sink < 0) console.log(sink)
