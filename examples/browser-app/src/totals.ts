import { createBus, deadLetters, transport } from '@tidings/core'
import type { EventsOf } from '@tidings/core'
import { messagePortBridge } from '@tidings/core/bridges'
import { createTidingsHooks } from '@tidings/react'
import { useEffect, useRef, useState } from 'preact/hooks'
import { bus } from './bus'
import type { CartLines } from './cart'
import { totalsCatalog } from './totals-catalog'

export type Totals = EventsOf<typeof totalsCatalog>['totals.computed']

// A bus of its own: the shop's bus has its transport already (the other tabs, or NATS), and a
// bus takes one. Each tab runs its own worker.
const worker = new Worker(new URL('./totals.worker.ts', import.meta.url), { type: 'module', name: 'cart totals' })
const totalsBus = createBus({ catalog: totalsCatalog, source: `${bus.source}/totals` }, transport(messagePortBridge(worker)), deadLetters())
totalsBus.onError((error) => console.warn(error.message))

const { useEmit, useEvent } = createTidingsHooks(totalsBus)

/** The cart priced by the worker: asked again at each change, shown once the answer to the latest question arrives. */
export function useWorkerTotals(lines: CartLines): Totals | undefined {
  const [totals, setTotals] = useState<Totals>()
  const asked = useRef<string>(undefined)
  const emit = useEmit()
  useEffect(() => {
    asked.current = emit('totals.requested', { lines: [...lines].map(([sku, qty]) => ({ sku, qty })) }).id
  }, [lines])
  useEvent('totals.computed', (computed, envelope) => {
    if (envelope.causationid === asked.current) setTotals(computed)
  })
  return totals
}
