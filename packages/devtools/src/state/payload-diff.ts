/** One difference between two JSON values, at a path such as `lines[0].qty`. */
export interface PayloadChange {
  path: string
  kind: 'added' | 'removed' | 'changed'
  before?: unknown
  after?: unknown
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

/** What changed from `before` to `after`, leaf by leaf (objects and arrays are walked, other values compared as JSON). */
export function payloadDiff(before: unknown, after: unknown, path = ''): PayloadChange[] {
  if (isRecord(before) && isRecord(after)) {
    const out: PayloadChange[] = []
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const at = path ? `${path}.${key}` : key
      if (!(key in after)) out.push({ path: at, kind: 'removed', before: before[key] })
      else if (!(key in before)) out.push({ path: at, kind: 'added', after: after[key] })
      else out.push(...payloadDiff(before[key], after[key], at))
    }
    return out
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: PayloadChange[] = []
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const at = `${path}[${i}]`
      if (i >= after.length) out.push({ path: at, kind: 'removed', before: before[i] })
      else if (i >= before.length) out.push({ path: at, kind: 'added', after: after[i] })
      else out.push(...payloadDiff(before[i], after[i], at))
    }
    return out
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: path || '(payload)', kind: 'changed', before, after }]
}
