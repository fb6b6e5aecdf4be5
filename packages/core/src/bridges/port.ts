/**
 * What messagePortBridge() can talk through: a MessagePort, a Worker or a worker's `self` in the
 * browser, a SharedWorker's port, a worker_threads MessagePort or Worker (or `parentPort`) in Node.
 */
export interface PortLike {
  postMessage(message: unknown): void
  /** DOM ports and workers (and Node's MessagePort). */
  addEventListener?(type: string, listener: (event: Event) => void): void
  removeEventListener?(type: string, listener: (event: Event) => void): void
  /** A MessagePort delivers nothing to addEventListener listeners until started. */
  start?(): void
  /** Node's EventEmitter ports and workers, which pass the message itself. */
  on?(type: string, listener: (data: unknown) => void): unknown
  off?(type: string, listener: (data: unknown) => void): unknown
}

export interface PortListeners {
  message(data: unknown): void
  /** A message arrived but could not be deserialized here. */
  messageerror(): void
  /** The other side is gone (browsers that fire MessagePort `close`, Node's `close`/`exit`). */
  close(): void
}

/** Listens on `port`, whichever API it has; returns what stops listening. */
export const listen = (port: PortLike, on: PortListeners): (() => void) => {
  if (typeof port.on === 'function') {
    const closed = () => on.close()
    port.on('message', on.message)
    port.on('messageerror', on.messageerror)
    port.on('close', closed)
    port.on('exit', closed)
    return () => {
      port.off?.('message', on.message)
      port.off?.('messageerror', on.messageerror)
      port.off?.('close', closed)
      port.off?.('exit', closed)
    }
  }
  if (typeof port.addEventListener !== 'function') return () => {}
  const message = (event: Event) => on.message((event as MessageEvent).data)
  const messageerror = () => on.messageerror()
  const closed = () => on.close()
  port.addEventListener('message', message)
  port.addEventListener('messageerror', messageerror)
  port.addEventListener('close', closed)
  port.start?.()
  return () => {
    port.removeEventListener?.('message', message)
    port.removeEventListener?.('messageerror', messageerror)
    port.removeEventListener?.('close', closed)
  }
}
