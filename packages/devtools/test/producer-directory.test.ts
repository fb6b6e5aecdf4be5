import type { ProducerInfo } from '@tidings/core'
import { describe, expect, it } from 'vitest'
import { EMPTY_FILTER } from '../src/state/filter'
import { FilteredView } from '../src/state/filtered-view'
import { ProducerDirectory } from '../src/state/producer-directory'
import { RetainedEvents } from '../src/state/retained-events'
import { emitted, envelope } from './fixtures'

const info = (id: string, name: string, extra: Partial<ProducerInfo> = {}): ProducerInfo =>
  ({ id, name, source: `/${name}`, connectedAt: 1, paused: false, dropped: 0, catalog: [], ...extra })

describe('ProducerDirectory', () => {
  it('keeps naming a bus after it disconnects, and across a hub restart that forgot it', () => {
    const directory = new ProducerDirectory()
    directory.update([info('k3j9', 'mailer'), info('p0q1', 'shop')])
    directory.update([info('p0q1', 'shop')], [info('k3j9', 'mailer')])
    expect(directory.name('k3j9')).toBe('mailer')
    expect(directory.isOnline('k3j9')).toBe(false)
    // A restarted hub knows nothing of it: the page still does.
    directory.update([])
    expect(directory.name('k3j9')).toBe('mailer')
    expect(directory.names()).toEqual([{ name: 'mailer', online: false }, { name: 'shop', online: false }])
  })

  it('names a bus that left before the page opened, from the hub, without losing what the page saw', () => {
    const directory = new ProducerDirectory()
    directory.update([], [info('k3j9', 'mailer')])
    expect(directory.name('k3j9')).toBe('mailer')
    const seen = new ProducerDirectory()
    seen.update([info('k3j9', 'mailer', { catalog: [{ type: 'mail.send', version: 1, persist: true }] })])
    seen.update([], [info('k3j9', 'mailer')])
    expect(seen.names()).toEqual([{ name: 'mailer', online: false }])
    expect(seen.name('unknown-id')).toBe('unknown-id')
  })

  it('offers each name once, online when any bus of that name is', () => {
    const directory = new ProducerDirectory()
    directory.update([info('a', 'browser-app'), info('b', 'browser-app')])
    directory.update([info('b', 'browser-app')])
    expect(directory.names()).toEqual([{ name: 'browser-app', online: true }])
  })

  it('lets a source filter select a bus by name (every bus of that name), or by id as older links do', () => {
    const directory = new ProducerDirectory()
    directory.update([info('a', 'shop'), info('b', 'shop'), info('c', 'mailer')])
    const events = new RetainedEvents(10)
    events.apply('a', [emitted(envelope('order.placed', {}, { id: 'e1' }), 1)])
    events.apply('b', [emitted(envelope('order.placed', {}, { id: 'e2' }), 2)])
    events.apply('c', [emitted(envelope('order.placed', {}, { id: 'e3' }), 3)])
    const view = new FilteredView(events, (producer, source) => directory.matches(producer, source))
    const shown = () => Array.from({ length: view.length }, (_, i) => events.at(view.seqAt(i)!)!.envelope.id)
    view.setFilter({ ...EMPTY_FILTER, source: 'shop' })
    expect(shown()).toEqual(['e1', 'e2'])
    view.setFilter({ ...EMPTY_FILTER, source: 'c' })
    expect(shown()).toEqual(['e3'])
  })
})
