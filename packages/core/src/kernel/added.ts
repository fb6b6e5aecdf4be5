/** Adds `item` to `list`, then calls `changed()`; returns what removes it again, followed by `changed()` too. */
export const added = <T>(list: T[], item: T, changed: () => void): (() => void) => {
  list.push(item)
  changed()
  return () => {
    const i = list.indexOf(item)
    if (i >= 0) list.splice(i, 1)
    changed()
  }
}
