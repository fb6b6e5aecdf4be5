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

/**
 * Where a list that does not follow rests: at the row the user was reading (`anchor`, by its index
 * now) when it is still listed, else at the last scroll offset heard of. Drawing from the anchor,
 * not from the last scroll event, keeps the drawn rows and the scroll position in step when the
 * list stops following (no scroll event told where it was) or older rows are evicted above it.
 */
export function restingTop(anchor: { index: number; offset: number } | undefined, scrollTop: number, rowHeight: number): number {
  return anchor !== undefined && anchor.index >= 0 ? anchor.index * rowHeight + anchor.offset : scrollTop
}
