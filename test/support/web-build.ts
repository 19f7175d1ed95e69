import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const WEB = join(ROOT, 'web');
const DIST = join(WEB, 'dist');
/** What the bundle is made from: the console's sources plus the role table it imports. */
const INPUTS = [join(WEB, 'src'), join(WEB, 'index.html'), join(WEB, 'vite.config.ts'), join(ROOT, 'src/platform/auth/roles.ts'), join(ROOT, 'package-lock.json')];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newestMtime(join(path, name))), st.mtimeMs);
}

/** True when web/dist is missing or older than any of its inputs. */
export function webDistStale(): boolean {
  const built = join(DIST, 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return INPUTS.some((p) => newestMtime(p) > builtAt);
}

/**
 * Puts a finished build into web/dist without breaking a page another run's server is loading right now: the
 * new (content-hashed) assets are added first, index.html is switched last by an atomic rename, and assets are
 * only removed once they are an hour old.
 */
function publish(out: string): void {
  mkdirSync(join(DIST, 'assets'), { recursive: true });
  for (const f of readdirSync(join(out, 'assets'))) {
    const target = join(DIST, 'assets', f);
    if (existsSync(target)) utimesSync(target, new Date(), new Date()); // same content hash: still in use, keep it
    else renameSync(join(out, 'assets', f), target);
  }
  for (const f of readdirSync(out)) {
    if (f !== 'assets' && f !== 'index.html') cpSync(join(out, f), join(DIST, f), { recursive: true });
  }
  renameSync(join(out, 'index.html'), join(DIST, 'index.html'));
  rmSync(out, { recursive: true, force: true });
  const hourAgo = Date.now() - 3600_000;
  for (const f of readdirSync(join(DIST, 'assets'))) {
    const path = join(DIST, 'assets', f);
    if (statSync(path).mtimeMs < hourAgo) rmSync(path, { force: true });
  }
}

/**
 * Makes sure web/dist holds a build of the current sources: builds with Vite when it is missing or stale
 * (about a second), into a private folder that is then published (see publish); a lock folder keeps
 * concurrent runs from building at once.
 */
export async function ensureWebBuilt(): Promise<void> {
  if (!webDistStale()) return;
  const lock = join(WEB, '.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another run is building; a lock older than two minutes was left by a run that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`web build lock ${lock} is held too long`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!webDistStale()) return; // the other run built it meanwhile
    const { build } = await import('vite');
    const out = join(WEB, `.dist-${process.pid}`);
    await build({ root: WEB, configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
    publish(out);
  } finally {
    rmdirSync(lock);
  }
}
