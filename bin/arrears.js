#!/usr/bin/env node
// Runs the TypeScript sources, compiled on first use (bin/compiled-sources.js), so there is no
// build step to forget. Where they cannot be compiled, tsx runs them directly.
import { compiledEntry } from './compiled-sources.js';

const compiled = await compiledEntry('src/cli/main.ts');
if (compiled) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
