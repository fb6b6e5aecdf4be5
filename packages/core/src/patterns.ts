/** A subscription key with `*` (one segment) or `**` (one or more segments), other than mitt's bare `'*'`. */
export const isPattern = (key: unknown): key is string =>
  typeof key === 'string' && key !== '*' && key.includes('*')

/** Compiles `order.*` / `order.**` into a matcher for dot-separated event types. */
export const compilePattern = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('.')
      .map((seg) => (seg === '**' ? '.+' : seg === '*' ? '[^.]+' : seg.replace(/[\\^$+?.()|[\]{}*]/g, '\\$&')))
      .join('\\.')}$`,
  )
