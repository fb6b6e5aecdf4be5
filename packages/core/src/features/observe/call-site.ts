/**
 * Frames of Tidings' own code, skipped to find the caller: the sources in this repository, the
 * published packages, and Vite's pre-bundled copies (`@tidings_core.js`).
 */
const OWN = /[\\/](?:@tidings[\\/]|packages[\\/](?:core|react|vue)[\\/]src[\\/])|@tidings_/
/** The bus's emit method, as V8 (`at Object.emit (`) and Firefox (`emit@`) name its frame. */
const EMIT = /(?:^at |\.)emit[ @]|^emit@/
/** Tests beside the sources are callers like any app. */
const TEST = /\.test\.[cm]?[jt]sx?:/

/**
 * Stack captures per second at most, in the whole process: one costs some microseconds, so at
 * thousands of events a second the later ones of each second go without a call site rather than
 * slow the app down.
 */
export const CALL_SITES_PER_SECOND = 1000
let second = 0
let taken = 0

/** Deep enough to get past emit, middleware and the steps to the caller. */
const FRAMES = 20

interface V8CallSite {
  getFileName(): string | null | undefined
  getFunctionName(): string | null
  getLineNumber(): number | null
  getColumnNumber(): number | null
}
type V8Error = ErrorConstructor & { prepareStackTrace?: (error: Error, frames: V8CallSite[]) => unknown; stackTraceLimit: number }

const own = (frame: string) => OWN.test(frame) && !TEST.test(frame)

/** The caller among frames (topmost first): past the outermost emit, since middleware is app code run inside it. */
const callerOf = (frames: readonly string[]): string | undefined => {
  let from = 0
  frames.forEach((frame, i) => {
    if (own(frame) && EMIT.test(frame)) from = i + 1
  })
  return frames.slice(from).find((frame) => !own(frame))
}

/** V8 hands the frames over as objects: only the caller's is formatted, which is most of the saving. */
const v8Caller = (E: V8Error): string | undefined => {
  const prepare = E.prepareStackTrace
  const limit = E.stackTraceLimit
  E.prepareStackTrace = (_error, sites) => sites
  E.stackTraceLimit = FRAMES
  let sites: V8CallSite[] | undefined
  try {
    sites = new Error().stack as unknown as V8CallSite[] | undefined
  } finally {
    E.prepareStackTrace = prepare
    E.stackTraceLimit = limit
  }
  if (!Array.isArray(sites)) return undefined
  const files = sites.map((s) => `/${s.getFileName() ?? ''}:`)
  let from = 1
  for (let i = 1; i < sites.length; i++) if (own(files[i]!) && sites[i]!.getFunctionName() === 'emit') from = i + 1
  for (let i = from; i < sites.length; i++) {
    if (own(files[i]!)) continue
    const s = sites[i]!
    const name = s.getFunctionName()
    const where = `${s.getFileName() ?? '<anonymous>'}:${s.getLineNumber() ?? 0}:${s.getColumnNumber() ?? 0}`
    return name ? `${name} (${where})` : where
  }
  return undefined
}

/**
 * Where the app called emit: the first stack frame outside Tidings (`placeOrder (src/shop.ts:42:7)`),
 * or undefined when the runtime gives no stack or this second's captures are used up. Costs a
 * stack capture: only taken while an observer asked for call sites.
 */
export function callSite(): string | undefined {
  const now = Math.floor(Date.now() / 1000)
  if (now !== second) {
    second = now
    taken = 0
  }
  if (++taken > CALL_SITES_PER_SECOND) return undefined
  const E = Error as V8Error
  if (typeof (E as { captureStackTrace?: unknown }).captureStackTrace === 'function') return v8Caller(E)
  const frames = new Error().stack?.split('\n').map((line) => line.trim()).filter(Boolean)
  return frames === undefined ? undefined : callerOf(frames)?.replace(/^at /, '')
}
