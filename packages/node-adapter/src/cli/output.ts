import type { Writable } from 'node:stream'

/** Colors only for a terminal, never when piped or when NO_COLOR is set (https://no-color.org). */
export const colorEnabled = (stream: Writable & { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false'
  return stream.isTTY === true && env.TERM !== 'dumb'
}

export interface Paint {
  bold(text: string): string
  dim(text: string): string
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
  cyan(text: string): string
  magenta(text: string): string
}

const sgr = (on: number, off: number) => (text: string) => `\x1b[${on}m${text}\x1b[${off}m`
const plain = (text: string) => text

export const paint = (enabled: boolean): Paint => ({
  bold: enabled ? sgr(1, 22) : plain,
  dim: enabled ? sgr(2, 22) : plain,
  red: enabled ? sgr(31, 39) : plain,
  green: enabled ? sgr(32, 39) : plain,
  yellow: enabled ? sgr(33, 39) : plain,
  cyan: enabled ? sgr(36, 39) : plain,
  magenta: enabled ? sgr(35, 39) : plain,
})

/** Where a command writes: stdout for results, stderr for messages, each with its own coloring. */
export interface Io {
  out(line: string): void
  err(line: string): void
  color: Paint
  errColor: Paint
}

export const processIo = (): Io => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  color: paint(colorEnabled(process.stdout)),
  errColor: paint(colorEnabled(process.stderr)),
})
