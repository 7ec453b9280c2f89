// Compiles the TypeScript sources on first use, so there is no build step to forget and no
// TypeScript loader in the running process: tsx's loader runs in a thread of its own and costs a
// worker ~25 MB of its 250 (README, "Cost per reminder and memory").
//
// esbuild bundles the entry (and, split into chunks, every module it imports lazily) into
// node_modules/.cache/arrears/<digest of the sources>/. A change to any file under src/ gives a new
// digest (from each file's path, size and modification time) and a new build (~1 s); an unchanged tree reuses the last one. Packages stay external and
// resolve from the project's node_modules, as they do for the sources. Each module keeps its own
// `import.meta.url`, so paths built from it (templates, views, assets) still point into src/.
// Source maps are written beside each chunk but not loaded (they cost a process ~12 MB):
// `node --enable-source-maps bin/arrears.js …` shows src/ lines in stack traces.
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = path.join(ROOT, 'src');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'arrears');
/** Builds kept beside the newest: a process started from an older one may still load its lazy chunks. */
const KEPT_BUILDS = 8;

function sourceFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(file, out);
    else if (/\.(?:[cm]?ts|[cm]?js|json)$/.test(entry.name)) out.push(file);
  }
  return out;
}

function digestOf(entry, esbuildVersion) {
  const hash = createHash('sha256');
  hash.update(`${esbuildVersion}\0${process.version}\0${entry}\0`);
  for (const file of [...sourceFiles(SOURCES).sort(), path.join(ROOT, 'tsconfig.json'), fileURLToPath(import.meta.url)]) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${path.relative(ROOT, file)}\0${size}\0${mtimeMs}\0`);
  }
  return hash.digest('hex').slice(0, 20);
}

/** Gives every source module its own file's URL as `import.meta.url`, as if it ran unbundled. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

function pruneOldBuilds(keep) {
  const builds = readdirSync(CACHE, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== keep)
    .map((d) => ({ dir: path.join(CACHE, d.name), used: statSync(path.join(CACHE, d.name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const { dir } of builds.slice(KEPT_BUILDS)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The URL of `entry` (a path under src/) compiled, building it if the sources changed; null when
 * it cannot be built here (no esbuild, an unwritable node_modules, a syntax error), and the caller
 * then runs the sources through tsx, which reports any error in them as it always has.
 */
export async function compiledEntry(entry) {
  try {
    const esbuildVersion = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('esbuild/package.json'), 'utf8')).version;
    const digest = digestOf(entry, esbuildVersion);
    const dir = path.join(CACHE, digest);
    const main = path.join(dir, `${path.basename(entry).replace(/\.[cm]?ts$/, '')}.mjs`);
    if (existsSync(main)) {
      const now = new Date();
      utimesSync(dir, now, now);
      return pathToFileURL(main).href;
    }
    const esbuild = await import('esbuild');
    mkdirSync(CACHE, { recursive: true });
    // Built beside the final directory and renamed into place, so a concurrent start never sees half a build.
    const building = path.join(CACHE, `.building-${process.pid}-${randomBytes(4).toString('hex')}`);
    await esbuild.build({
      entryPoints: [path.join(ROOT, entry)],
      outdir: building,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      packages: 'external',
      outExtension: { '.js': '.mjs' },
      sourcemap: 'linked',
      sourcesContent: false,
      plugins: [ownImportMetaUrl],
      logLevel: 'silent',
    });
    try {
      renameSync(building, dir);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another process built the same sources first
    }
    pruneOldBuilds(digest);
    return existsSync(main) ? pathToFileURL(main).href : null;
  } catch {
    return null;
  }
}
