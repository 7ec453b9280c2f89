// bin/compiled-sources.js on a small project of its own: real esbuild, real files, real imports.
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

type CompiledEntry = (entry: string) => Promise<string | null>;
let project: string;
let compiledEntry: CompiledEntry;

const cache = () => path.join(project, 'node_modules', '.cache', 'arrears');

async function writeSource(file: string, text: string): Promise<void> {
  const target = path.join(project, 'src', file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, text);
}

async function run(url: string): Promise<{ whereAmI: string; lazy: () => Promise<{ whereAmI: string; greeting: string }> }> {
  return (await import(url)) as never;
}

beforeAll(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'arrears-compiled-'));
  await mkdir(path.join(project, 'bin'));
  await copyFile(path.join(REPO, 'bin', 'compiled-sources.js'), path.join(project, 'bin', 'compiled-sources.js'));
  await copyFile(path.join(REPO, 'tsconfig.json'), path.join(project, 'tsconfig.json'));
  // Only esbuild itself is linked: the cache must land in this project's node_modules, not the repository's.
  await mkdir(path.join(project, 'node_modules'));
  await symlink(path.join(REPO, 'node_modules', 'esbuild'), path.join(project, 'node_modules', 'esbuild'), 'dir');
  await writeSource(
    'main.ts',
    `import { fileURLToPath } from 'node:url';
     export const whereAmI: string = fileURLToPath(import.meta.url);
     export const lazy = () => import('./parts/lazy.js');\n`,
  );
  await writeSource(
    'parts/lazy.ts',
    `import { fileURLToPath } from 'node:url';
     export const whereAmI: string = fileURLToPath(new URL('.', import.meta.url));
     export const greeting: string = 'first';\n`,
  );
  ({ compiledEntry } = (await import(pathToFileURL(path.join(project, 'bin', 'compiled-sources.js')).href)) as {
    compiledEntry: CompiledEntry;
  });
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('compiled sources', () => {
  it('builds the entry into the cache, and every module keeps its own import.meta.url, lazily imported ones too', async () => {
    const url = await compiledEntry('src/main.ts');
    expect(url).not.toBeNull();
    expect(fileURLToPath(url!).startsWith(cache() + path.sep)).toBe(true);
    const main = await run(url!);
    expect(main.whereAmI).toBe(path.join(project, 'src', 'main.ts'));
    const lazy = await main.lazy();
    expect(lazy.whereAmI).toBe(path.join(project, 'src', 'parts') + path.sep);
    expect(lazy.greeting).toBe('first');
  });

  it('reuses the build while the sources are unchanged, and builds again when one changes', async () => {
    const first = await compiledEntry('src/main.ts');
    expect(await compiledEntry('src/main.ts')).toBe(first);

    await writeSource('parts/lazy.ts', `export const whereAmI = ''; export const greeting: string = 'second';\n`);
    const later = new Date(Date.now() + 5_000);
    await utimes(path.join(project, 'src', 'parts', 'lazy.ts'), later, later);
    const second = await compiledEntry('src/main.ts');
    expect(second).not.toBe(first);
    expect((await (await run(second!)).lazy()).greeting).toBe('second');
  });

  it('gives one build to processes starting at once, leaving no half-built directory', async () => {
    await writeSource('parts/extra.ts', `export const extra = 1;\n`);
    const urls = await Promise.all([compiledEntry('src/main.ts'), compiledEntry('src/main.ts'), compiledEntry('src/main.ts')]);
    expect(new Set(urls).size).toBe(1);
    expect(urls[0]).not.toBeNull();
    expect((await readdir(cache())).filter((name) => name.startsWith('.building'))).toEqual([]);
  });

  it('keeps the newest builds and removes the oldest', async () => {
    for (let i = 0; i < 12; i += 1) {
      const old = path.join(cache(), `old-build-${i}`);
      await mkdir(old, { recursive: true });
      const when = new Date(Date.UTC(2020, 0, 1 + i));
      await utimes(old, when, when);
    }
    await writeSource('parts/extra.ts', `export const extra = 2;\n`);
    const url = await compiledEntry('src/main.ts');
    const builds = (await readdir(cache())).sort();
    expect(builds).toContain(path.basename(path.dirname(fileURLToPath(url!))));
    expect(builds).toHaveLength(9);
    // The three earlier builds of this file are newer than every old one: eight kept = those three and five old ones.
    expect(builds.filter((name) => name.startsWith('old-build-'))).toEqual([
      'old-build-10',
      'old-build-11',
      'old-build-7',
      'old-build-8',
      'old-build-9',
    ]);
  });

  it('answers null for sources that do not compile, so the caller runs them through tsx and reports the error', async () => {
    await writeSource('main.ts', `export const whereAmI: string = ;\n`);
    expect(await compiledEntry('src/main.ts')).toBeNull();
  });
});
