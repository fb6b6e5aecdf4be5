// Makes a fresh clone ready: installs dependencies, Debian's Chromium (for browser tests) and
// builds the libraries, each only when missing or stale. Uses Node built-ins only: it runs
// before anything is installed.
import { execSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' })
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0)
const newest = (dir) => {
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}
const newestOf = (path) => (existsSync(path) && statSync(path).isDirectory() ? newest(path) : mtime(path))

const installedAt = mtime(join(root, 'node_modules/.package-lock.json'))
if (!installedAt || mtime(join(root, 'package-lock.json')) > installedAt) {
  console.log('[setup] installing dependencies (npm ci)')
  run('npm ci --no-audit --no-fund')
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(chromium)) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log('[setup] installing Debian chromium for the browser tests')
    run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium')
  } else {
    console.error(`[setup] no Chromium at ${chromium}: install Debian's chromium or set CHROMIUM_PATH`)
    process.exit(1)
  }
}

// The NATS transport's tests and `npm start -- --nats` start their own nats-server (scripts/start/nats-server.mjs).
const natsServer = process.env.NATS_SERVER ?? ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find(existsSync)
if (natsServer === undefined || !existsSync(natsServer)) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log('[setup] installing Debian nats-server for the NATS transport tests')
    run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server')
  } else {
    console.error("[setup] no nats-server: install Debian's nats-server or set NATS_SERVER")
    process.exit(1)
  }
}

const libraries = ['packages/core', 'packages/node-adapter', 'packages/nats', 'packages/react', 'packages/vue']
const stale = libraries.filter((dir) => {
  const built = mtime(join(root, dir, 'dist/index.cjs'))
  return !built || newest(join(root, dir, 'src')) > built
})
if (stale.length) {
  console.log(`[setup] building ${stale.join(', ')}`)
  run('npx rollup -c rollup.config.mjs --silent')
}

// The devtools page and the examples, built after the libraries they use: what `npm start` runs,
// and what CI must prove builds. `inputs` are relative to the repository root.
const apps = [
  { dir: 'packages/devtools', output: 'dist/index.html', inputs: ['src', 'index.html', 'vite.config.ts', 'packages/core/src'] },
  { dir: 'examples/browser-app', output: 'dist/index.html', inputs: ['src', 'index.html', 'vite.config.ts', 'packages/core/dist', 'packages/nats/dist', 'packages/react/dist'] },
  { dir: 'examples/vue-app', output: 'dist/index.html', inputs: ['src', 'index.html', 'vite.config.ts', 'packages/core/dist', 'packages/vue/dist'] },
  { dir: 'examples/node-service', output: 'dist/main.js', inputs: ['src'] },
  { dir: 'examples/cli-progress', output: 'dist/main.js', inputs: ['src'] },
]
for (const { dir, output, inputs } of apps) {
  const built = mtime(join(root, dir, output))
  const paths = inputs.map((input) => (input.includes('/') ? join(root, input) : join(root, dir, input)))
  if (built && paths.every((path) => newestOf(path) <= built)) continue
  console.log(`[setup] building ${dir}`)
  run(`npm run build --silent -w ${dir}`)
}
