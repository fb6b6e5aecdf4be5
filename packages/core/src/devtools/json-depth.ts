/**
 * Whether JSON text nests deeper than `limit` arrays and objects. A linear scan without
 * recursion: it runs before `JSON.parse`, so that no later `JSON.stringify` of what was parsed
 * can overflow the stack, and costs about a millisecond per MiB.
 */
export const jsonDepthExceeds = (text: string, limit: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) {
      inString = true
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return true
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--
    }
  }
  return false
}
