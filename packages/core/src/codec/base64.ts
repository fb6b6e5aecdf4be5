// Base64 per RFC 4648 section 4 with `atob`/`btoa`, which Node and browsers both have.
// Decoding is strict (padding required, no whitespace, no stray bits) so that every accepted
// string encodes back to itself: a `data_base64` member survives a round trip unchanged.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
// A last group's unused bits must be zero ("QQ==" is canonical, "QR==" is not).
const CANONICAL_TAIL = /(?:[AQgw]==|[AEIMQUYcgkosw048]=)$/

/** Bytes of a canonical base64 string, or undefined when `text` is not one. */
export const fromBase64 = (text: string): Uint8Array | undefined => {
  if (!BASE64.test(text)) return undefined
  if (text.endsWith('=') && !CANONICAL_TAIL.test(text)) return undefined
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

const CHUNK = 0x8000

export const toBase64 = (bytes: Uint8Array): string => {
  let binary = ''
  // fromCharCode takes its code units as arguments: chunks keep under the engine's argument limit.
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(binary)
}
