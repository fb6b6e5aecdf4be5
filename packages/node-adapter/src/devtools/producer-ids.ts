import { randomBytes } from 'node:crypto'
import { safeEqual } from './auth'

/** Secrets of producers that left, kept so that they can reclaim their id; the oldest are forgotten first. */
const REMEMBERED = 1024

const secret = (): string => randomBytes(24).toString('base64url')

/**
 * Which connection may use which producer id. A producer's id is public (every viewer sees it),
 * so the hub binds it to a secret handed out in the producer's welcome: a later connection gets
 * the same id only if it presents that secret (`hello.resume`), else a fresh id. A hub that
 * restarted knows no secrets, so returning producers get their ids back.
 */
export class ProducerIds {
  private readonly departed = new Map<string, string>()

  /** `current`: the secret of the connected producer with that id, if any. */
  claim(instance: string, resume: string | undefined, current: string | undefined, taken: (id: string) => boolean): { id: string; secret: string } {
    const known = current ?? this.departed.get(instance)
    if (known === undefined || (resume !== undefined && safeEqual(resume, known))) {
      this.departed.delete(instance)
      return { id: instance, secret: known ?? secret() }
    }
    let id: string
    do id = `${instance.slice(0, 48)}~${randomBytes(6).toString('base64url')}`
    while (taken(id) || this.departed.has(id))
    return { id, secret: secret() }
  }

  /** A producer left: its secret still reclaims its id. */
  release(id: string, producerSecret: string): void {
    this.departed.set(id, producerSecret)
    if (this.departed.size > REMEMBERED) this.departed.delete(this.departed.keys().next().value!)
  }
}
