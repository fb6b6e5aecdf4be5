import { CLOUDEVENTS_BATCH_CONTENT_TYPE, TidingsError } from '@tidings/core'
import type { CloudEventJSON } from '@tidings/core'

export interface UpstreamOptions {
  url: string
  headers: Record<string, string> | undefined
  credentials: RequestCredentials
  fetch: typeof fetch
}

// Browsers refuse keepalive requests past 64 KiB in flight; larger batches go without it.
const KEEPALIVE_MAX = 60_000

/**
 * Events the page sends to the server, one POST per tick (a CloudEvents batch). A refused or
 * failed POST is reported, and the next `flush()` rejects with it: those events did not arrive.
 */
export class Upstream {
  private batch: CloudEventJSON[] = []
  private readonly inFlight = new Set<Promise<void>>()
  private failure: TidingsError | undefined

  constructor(private readonly options: UpstreamOptions, private readonly report: (error: TidingsError) => void) {}

  push(event: CloudEventJSON): void {
    if (this.batch.push(event) === 1) queueMicrotask(() => this.send())
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
    const failure = this.failure
    this.failure = undefined
    if (failure !== undefined) throw failure
  }

  private send(): void {
    const events = this.batch
    this.batch = []
    const post = this.post(events).catch((error: unknown) => {
      const failure = error instanceof TidingsError ? error : new TidingsError('E_TRANSPORT', `${events.length} events could not be sent to ${this.options.url}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error, details: { ids: events.map((e) => e.id) },
      })
      this.failure ??= failure
      this.report(failure)
    })
    this.inFlight.add(post)
    void post.finally(() => this.inFlight.delete(post))
  }

  private async post(events: CloudEventJSON[]): Promise<void> {
    const { url, headers, credentials } = this.options
    const body = JSON.stringify(events)
    const res = await this.options.fetch(url, {
      method: 'POST', body, credentials, keepalive: body.length < KEEPALIVE_MAX,
      headers: { ...headers, 'content-type': CLOUDEVENTS_BATCH_CONTENT_TYPE },
    })
    if (res.ok) return
    // The endpoint answers { code, message } for what it refused (validation against its catalog).
    const answer = (await res.json().catch(() => undefined)) as { code?: unknown; message?: unknown } | undefined
    const code = typeof answer?.code === 'string' && answer.code.startsWith('E_') ? answer.code : 'E_TRANSPORT'
    const reason = typeof answer?.message === 'string' ? answer.message : `HTTP ${res.status}`
    throw new TidingsError(code as 'E_TRANSPORT', `The server at ${url} refused ${events.length} events: ${reason}`, { details: { status: res.status, ids: events.map((e) => e.id) } })
  }
}
