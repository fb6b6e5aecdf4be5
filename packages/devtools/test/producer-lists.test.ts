import type { DeadLetterJSON } from '@tidings/core'
import { describe, expect, it } from 'vitest'
import { ProducerLists } from '../src/producer-lists'
import { envelope } from './fixtures'

const entry = (id: string): DeadLetterJSON => ({
  id, envelope: envelope('mail.send'), subscription: 'smtp', attempts: 2,
  firstFailedAt: '2026-12-07T10:00:00.000Z', lastFailedAt: '2026-12-07T10:00:01.000Z', error: { name: 'Error', message: 'down' },
})

describe('ProducerLists', () => {
  it('fetches a list again when its count changes, and keeps the last list when it can no longer be asked', async () => {
    let online = true
    let queued = [entry('d1')]
    const asked: string[] = []
    let changes = 0
    const lists = new ProducerLists<DeadLetterJSON>(async (producer) => {
      asked.push(producer)
      if (!online) throw new Error('No producer "mailer" is connected')
      return queued
    }, () => changes++)
    lists.noteCount('mailer', 1)
    lists.noteCount('mailer', 1)
    await new Promise((r) => setTimeout(r, 0))
    expect(asked).toEqual(['mailer'])
    expect(lists.lists.get('mailer')!.map((e) => e.id)).toEqual(['d1'])

    queued = [entry('d1'), entry('d2')]
    lists.noteCount('mailer', 2)
    await new Promise((r) => setTimeout(r, 0))
    expect(lists.lists.get('mailer')!.map((e) => e.id)).toEqual(['d1', 'd2'])

    online = false
    await lists.refresh('mailer')
    expect(lists.lists.get('mailer')!.map((e) => e.id)).toEqual(['d1', 'd2'])
    expect(lists.errors.get('mailer')).toMatch(/No producer/)
    expect(changes).toBe(3)
  })
})
