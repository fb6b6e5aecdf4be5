/** Asks the next group commit to fdatasync, with or without anything to write. */
export const SYNC = Symbol('sync')
