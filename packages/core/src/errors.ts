/** Stable error codes. Match on `error.code`, never on the message. */
export const ErrorCode = {
  /** A payload or envelope does not match its schema. */
  VALIDATION: 'E_VALIDATION',
  /** A typed bus or codec was given a type its catalog does not define. */
  UNKNOWN_TYPE: 'E_UNKNOWN_TYPE',
  /** An argument to a Tidings function is not usable as given. */
  INVALID_ARGUMENT: 'E_INVALID_ARGUMENT',
  /** A handler failed on a bus that keeps no dead letters (no `deadLetters()`): the failure is reported, not kept. */
  HANDLER: 'E_HANDLER',
  /** A middleware threw something other than a TidingsError. */
  MIDDLEWARE: 'E_MIDDLEWARE',
  /** `waitFor` timed out. */
  TIMEOUT: 'E_TIMEOUT',
  /** An operation was cancelled through its AbortSignal. */
  ABORTED: 'E_ABORTED',
  /** The bus (or store) was used after `close()`. */
  CLOSED: 'E_CLOSED',
  /** No dead-letter entry has that id. */
  DLQ_NOT_FOUND: 'E_DLQ_NOT_FOUND',
  /** Dead letters are at their maximum: a full store refused an entry (the bus still holds it in memory), or the bus's own `maxDeadLetters` was reached (the entry is not kept; details has it). */
  DLQ_OVERFLOW: 'E_DLQ_OVERFLOW',
  /** A store operation failed. */
  STORAGE: 'E_STORAGE',
  /** The storage quota is exhausted; unwritten events are kept and retried. */
  STORAGE_QUOTA: 'E_STORAGE_QUOTA',
  /** Another connection blocks a storage upgrade. */
  STORAGE_BLOCKED: 'E_STORAGE_BLOCKED',
  /** Another process holds the store's lock. */
  STORAGE_LOCKED: 'E_STORAGE_LOCKED',
  /** A write was asked of a store opened read-only. */
  STORAGE_READ_ONLY: 'E_STORAGE_READ_ONLY',
  /** `bus.history()` was called on a bus without a store. */
  NO_STORE: 'E_NO_STORE',
  /** Input is not valid JSON / not an envelope. */
  DECODE: 'E_DECODE',
  /** Input exceeds the size or nesting-depth limit. */
  TOO_LARGE: 'E_TOO_LARGE',
  /** An event cannot be serialized (NaN or ±Infinity, a BigInt, a function, a cycle, over the size or depth limit): it alone is refused. */
  ENCODE: 'E_ENCODE',
  /** Something emitted before `flush()` could not be made durable; `details` has the count and the first error. */
  NOT_DURABLE: 'E_NOT_DURABLE',
  /** A store found data it cannot read: it was moved aside to a quarantine file (details: path, offset, count); the rest is kept. */
  STORAGE_DAMAGED: 'E_STORAGE_DAMAGED',
  /** A payload version is newer than the catalog knows. */
  FUTURE_VERSION: 'E_FUTURE_VERSION',
  /** An upcaster threw or its result failed validation. */
  UPCAST: 'E_UPCAST',
  /** A devtools frame is malformed, of an unknown type or version, or a command is unknown. */
  DEVTOOLS_PROTOCOL: 'E_DEVTOOLS_PROTOCOL',
  /** A devtools command named a producer that is not connected to the hub. */
  DEVTOOLS_NO_PRODUCER: 'E_DEVTOOLS_NO_PRODUCER',
  /** A devtools client sent more frames per second than the hub allows. */
  DEVTOOLS_RATE_LIMIT: 'E_DEVTOOLS_RATE_LIMIT',
  /** The devtools hub is unreachable or refused the connection (wrong token, Origin…); the producer keeps retrying. */
  DEVTOOLS_CONNECTION: 'E_DEVTOOLS_CONNECTION',
  /** A transport lost its broker or the broker refused an operation; the transport keeps retrying where it can. */
  TRANSPORT: 'E_TRANSPORT',
  /** A transport's buffer of unpublished events is full: this event was not published. */
  TRANSPORT_OVERFLOW: 'E_TRANSPORT_OVERFLOW',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface TidingsErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown
  /** Structured facts about the failure (field path, type, limits…). */
  details?: Record<string, unknown>
  /** `false` sends a failing delivery straight to the dead-letter queue, without retries. */
  retryable?: boolean
}

/** The only error type Tidings throws or rejects with. */
export class TidingsError extends Error {
  override readonly name = 'TidingsError'
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined
  readonly retryable: boolean | undefined

  constructor(code: ErrorCode, message: string, options: TidingsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details
    this.retryable = options.retryable
  }
}

/** True when `error` is a TidingsError, optionally with the given code. */
export const isTidingsError = (error: unknown, code?: ErrorCode): error is TidingsError =>
  error instanceof TidingsError && (code === undefined || error.code === code)
