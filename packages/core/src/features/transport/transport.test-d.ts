import { it } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import type { Transport } from '../../transport'
import { deadLetters } from '../dead-letters/dead-letters'
import { standard } from '../standard/standard'
import { transport } from './transport'

declare const t: Transport
declare const maybe: Transport | undefined

it('needs deadLetters() on the same bus: without it, createBus does not compile', () => {
  createBus({}, transport(t), deadLetters())
  createBus({}, deadLetters(), transport(t))
  createBus({}, standard(), transport(t))
  // @ts-expect-error transport() needs the feature that adds bus.dlq
  createBus({}, transport(t))
})

it('sees the features before a spread transport(), as a bus with an optional transport is written', () => {
  createBus({}, standard(), ...(maybe ? [transport(maybe)] : []))
  createBus({}, deadLetters(), ...(maybe ? [transport(maybe)] : []))
  // @ts-expect-error transport() needs the feature that adds bus.dlq
  createBus({}, ...(maybe ? [transport(maybe)] : []))
})
