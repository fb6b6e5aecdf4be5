import type { Catalog } from '../catalog'
import { compilePattern, isPattern } from '../patterns'
import { emitsOf, isJoin, isTimeout, triggersOf } from './steps'
import type { AnyStep } from './steps'

/** One problem in a flow definition; `step` is the index in `steps`, `field` the property at fault. */
export interface FlowIssue {
  step: number
  field: string
  message: string
}

const TYPE_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/
const PATTERN_SEGMENT_RE = /^([A-Za-z0-9_-]+|\*|\*\*)$/

/**
 * Checks a flow before it runs: malformed steps, unknown types (when a catalog is given), bad
 * patterns, and cycles — a chain of steps that leads back to its own trigger — unless a step on
 * the cycle has a `when` guard.
 */
export function validateFlow(steps: readonly AnyStep[], catalog?: Catalog): FlowIssue[] {
  const issues: FlowIssue[] = []
  const known = (type: string) => catalog === undefined || catalog.get(type) !== undefined
  const checkType = (step: number, field: string, type: unknown, allowPattern: boolean) => {
    if (typeof type !== 'string') return issues.push({ step, field, message: `${field} must be an event type, got ${JSON.stringify(type)}` })
    if (isPattern(type)) {
      if (!allowPattern) return issues.push({ step, field, message: `${field} cannot be a pattern ("${type}"): name one event type` })
      if (!type.split('.').every((s) => PATTERN_SEGMENT_RE.test(s))) {
        return issues.push({ step, field, message: `"${type}" is not a valid pattern: use "*" for one segment and "**" for any depth, each as a whole segment` })
      }
      if (catalog && ![...catalog.definitions.keys()].some((t) => compilePattern(type).test(t))) {
        return issues.push({ step, field, message: `pattern "${type}" matches no type of the catalog` })
      }
      return
    }
    if (!TYPE_RE.test(type)) return issues.push({ step, field, message: `"${type}" is not a valid event type` })
    if (!known(type)) issues.push({ step, field, message: `"${type}" is not in the catalog` })
  }

  steps.forEach((step, i) => {
    if (step === null || typeof step !== 'object') return void issues.push({ step: i, field: 'step', message: 'a step must be an object' })
    if (isJoin(step)) {
      if (!Array.isArray(step.join) || step.join.length < 2 || step.join === undefined) issues.push({ step: i, field: 'join', message: 'join needs at least two event types' })
      else step.join.forEach((t: unknown) => checkType(i, 'join', t, false))
    } else if (step.on !== undefined) checkType(i, 'on', step.on, !isTimeout(step))
    else issues.push({ step: i, field: 'on', message: 'a step needs "on" (a type or pattern) or "join" (types)' })
    if (isTimeout(step)) {
      checkType(i, 'expect', step.expect, false)
      if (typeof step.within !== 'number' || !(step.within > 0)) issues.push({ step: i, field: 'within', message: 'within must be a positive number of milliseconds' })
    }
    const emits = step.emit === undefined ? [] : typeof step.emit === 'string' ? [step.emit] : step.emit
    if (!emits.length) issues.push({ step: i, field: 'emit', message: 'emit must name at least one event type' })
    for (const t of emits) checkType(i, 'emit', t, false)
  })
  if (issues.length) return issues

  // Edges: step i → step j when i emits a type that triggers j. A cycle without a guard would loop forever.
  const matches = (trigger: string, type: string) => (isPattern(trigger) ? compilePattern(trigger).test(type) : trigger === type)
  const next = steps.map((step) => steps.flatMap((other, j) => (emitsOf(step).some((t) => triggersOf(other).some((trig) => matches(trig, t))) ? [j] : [])))
  const guarded = (i: number) => !isJoin(steps[i]!) && !isTimeout(steps[i]!) && typeof steps[i]!.when === 'function'
  const state = new Array<0 | 1 | 2>(steps.length).fill(0)
  const path: number[] = []
  const visit = (i: number): void => {
    state[i] = 1
    path.push(i)
    for (const j of next[i]!) {
      if (state[j] === 1) {
        const cycle = path.slice(path.indexOf(j))
        if (!cycle.some(guarded)) {
          issues.push({ step: j, field: 'emit', message: `steps ${cycle.join(' → ')} → ${j} form a cycle with no "when" guard: it would emit forever` })
        }
      } else if (state[j] === 0) visit(j)
    }
    path.pop()
    state[i] = 2
  }
  steps.forEach((_, i) => state[i] === 0 && visit(i))
  return issues
}
