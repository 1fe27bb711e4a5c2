// npm ci refuses a lockfile that lacks any optional dependency, but `npm install` leaves out
// the platform binaries our registry mirror does not serve (e.g. unrs-resolver's android,
// darwin and win32 builds, pulled in by jest). This adds placeholder entries for them, with
// the os/cpu fields that make npm skip them on every other platform, so `npm ci` works.
// Run it after any `npm install` that rewrites package-lock.json.
import { readFileSync, writeFileSync } from 'node:fs'

const LOCK = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(LOCK, 'utf8'))

const OS = ['android', 'darwin', 'freebsd', 'linux', 'openharmony', 'win32', 'netbsd', 'openbsd', 'sunos', 'aix']
const CPU = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'wasm32']

/** os and cpu from a binding package's name, e.g. resolver-binding-linux-arm-gnueabihf. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-')
  const os = parts.find((p) => OS.includes(p))
  const cpu = parts.find((p) => CPU.includes(p))
  if (!os || !cpu) return undefined
  const libc = parts.includes('musl') || parts.includes('musleabihf') ? ['musl'] : parts.includes('gnu') || parts.includes('gnueabihf') ? ['glibc'] : undefined
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) }
}

const added = []
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const nested = `${path}/node_modules/${name}`
    const top = `node_modules/${name}`
    if (lock.packages[nested] || lock.packages[top]) continue
    const platform = platformOf(name)
    if (!platform) throw new Error(`${name} (optional dependency of ${path}) is missing from the lockfile and is not a platform binary`)
    lock.packages[top] = { version, dev: pkg.dev, optional: true, ...platform }
    added.push(`${name}@${version}`)
  }
}
if (added.length > 0) {
  const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))))
  lock.packages = sorted
  writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`)
}
console.log(added.length > 0 ? `added ${added.length} placeholder entries: ${added.join(', ')}` : 'lockfile complete')
