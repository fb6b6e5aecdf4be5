import { describe, expect, it } from 'vitest'
import { sealLine, unsealLine } from '../src/file-store/checksum'

describe('sealed lines', () => {
  const body = '"p":7,"e":{"type":"order.placed","data":{"n":1}}'
  const sealed = sealLine(body).trimEnd()

  it('read back what was sealed, and nothing once any byte of the line is flipped', () => {
    expect(unsealLine(sealed)).toEqual({ c: expect.any(Number), p: 7, e: { type: 'order.placed', data: { n: 1 } } })
    for (let i = 0; i < sealed.length; i++) {
      for (const mask of [0x01, 0x20, 0x40]) {
        const flipped = sealed.slice(0, i) + String.fromCharCode(sealed.charCodeAt(i) ^ mask) + sealed.slice(i + 1)
        expect(unsealLine(flipped), `byte ${i} ^ 0x${mask.toString(16)}: ${flipped.slice(0, 24)}`).toBeUndefined()
      }
    }
  })

  it('are told from lines written before checksums, which still read as they parse', () => {
    expect(unsealLine('{"p":7,"e":{"type":"x"}}')).toEqual({ p: 7, e: { type: 'x' } })
    expect(unsealLine('{"put":{"id":"d1"}}')).toEqual({ put: { id: 'd1' } })
    expect(unsealLine('{"C":123,"p":7,"e":{}}')).toBeUndefined()
    expect(unsealLine('{"p":123,"p":7,"e":{}}')).toBeUndefined()
  })
})
