import { schemaErrors } from './schema-example'

export type DraftCheck = { ok: true; data: unknown } | { ok: false; errors: string[] }

/** Reads the dispatch editor's text: JSON, and valid against the type's schema when the catalog has one. */
export function checkDraft(text: string, schema: Record<string, unknown> | undefined): DraftCheck {
  let data: unknown
  if (text.trim() !== '') {
    try {
      data = JSON.parse(text)
    } catch (error) {
      return { ok: false, errors: [`Not JSON: ${(error as Error).message}`] }
    }
  }
  if (!schema) return { ok: true, data }
  const errors = schemaErrors(schema, data ?? null)
  return errors.length ? { ok: false, errors } : { ok: true, data }
}
