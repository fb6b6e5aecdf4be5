import { effect, signal } from '@preact/signals'

export type Theme = 'light' | 'dark'

const STORAGE_KEY = 'tidings-devtools-theme'

const stored = (): Theme | undefined => {
  try {
    const value = localStorage.getItem(STORAGE_KEY)
    return value === 'light' || value === 'dark' ? value : undefined
  } catch {
    return undefined
  }
}

/** The user's choice if they made one, else the system's. */
export const theme = signal<Theme>(stored() ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'))

export function applyTheme(): void {
  effect(() => {
    document.documentElement.dataset.theme = theme.value
  })
}

export function toggleTheme(): void {
  theme.value = theme.value === 'dark' ? 'light' : 'dark'
  try {
    localStorage.setItem(STORAGE_KEY, theme.value)
  } catch {
    // Storage can be disabled; the choice then lasts for this page only.
  }
}
