/** Which rows of a virtualized list to draw, and where its view starts. */
export interface RowWindow {
  /** The scroll offset the view shows, in pixels. */
  top: number
  /** First row index to draw. */
  first: number
  /** One past the last row index to draw. */
  last: number
}

/**
 * The rows in view (plus `overscan` on each side). Following, the view sits at the end. Otherwise
 * it sits at the remembered scroll offset, clamped to the end of the list: a filter that shrinks
 * the list leaves that offset past its end until the browser's own clamping (and its scroll event,
 * if any) catches up, and rows must not go undrawn meanwhile.
 */
export function rowWindow(total: number, rowHeight: number, height: number, scrollTop: number, following: boolean, overscan: number): RowWindow {
  const maxTop = Math.max(0, total * rowHeight - height)
  const top = following ? maxTop : Math.min(scrollTop, maxTop)
  return {
    top,
    first: Math.max(0, Math.floor(top / rowHeight) - overscan),
    last: Math.min(total, Math.ceil((top + height) / rowHeight) + overscan),
  }
}
