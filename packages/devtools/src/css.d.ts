/** Vite bundles imported stylesheets; the import has no value. */
declare module '*.css'
