export { fileStore } from './file-store'
export type { FileStoreOptions } from './file-store'
export type { Durability } from './log-writer'
export type { RetentionOptions } from './retention'
