// The page of the bridges tests, bundled: what they call through page.evaluate().
import { createBus, deadLetters, transport } from '@tidings/core'
import { bridges, fulfil, shop, tab } from './bridges-shop'

export const bridgesTest = { bridges, createBus, deadLetters, fulfil, shop, tab, transport }

Object.assign(window, { bridgesTest })
