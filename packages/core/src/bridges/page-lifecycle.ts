/**
 * Calls `suspend` when the page is frozen or goes into the back/forward cache, and `resume` when
 * it comes back; returns what stops listening. Nothing outside a page (workers, Node).
 */
export const onPageLifecycle = (suspend: () => void, resume: () => void): (() => void) => {
  if (typeof document === 'undefined' || typeof window === 'undefined') return () => {}
  const hidden = (e: PageTransitionEvent) => e.persisted && suspend()
  const shown = (e: PageTransitionEvent) => e.persisted && resume()
  document.addEventListener('freeze', suspend)
  document.addEventListener('resume', resume)
  window.addEventListener('pagehide', hidden)
  window.addEventListener('pageshow', shown)
  return () => {
    document.removeEventListener('freeze', suspend)
    document.removeEventListener('resume', resume)
    window.removeEventListener('pagehide', hidden)
    window.removeEventListener('pageshow', shown)
  }
}
