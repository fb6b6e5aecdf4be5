/**
 * Matches event types against `--type` values: exact types, `order.*` (one more segment) or
 * `order.**` (any depth), as bus patterns do.
 */
export const typeFilter = (patterns: readonly string[]): ((type: string) => boolean) | undefined => {
  if (patterns.length === 0) return undefined
  const regexes = patterns.map((pattern) => new RegExp(`^${pattern
    .split('.')
    .map((seg) => (seg === '**' ? '.+' : seg === '*' ? '[^.]+' : seg.replace(/[\\^$+?.()|[\]{}*]/g, '\\$&')))
    .join('\\.')}$`))
  return (type) => regexes.some((re) => re.test(type))
}

/** Exact types only: then the store can filter by itself. */
export const exactTypes = (patterns: readonly string[]): string[] | undefined =>
  patterns.length > 0 && patterns.every((p) => !p.includes('*')) ? [...patterns] : undefined
