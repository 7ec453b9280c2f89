import type { Logger } from '../logging/logger.js';
import { ensureBinary, isExecutable, which } from './system-binary.js';

/** What to do when no Chromium can be found or installed. */
export const CHROMIUM_ADVICE =
  'Install it (Debian/Ubuntu: `apt-get install chromium`; macOS: `brew install --cask chromium` or Google Chrome) ' +
  'or point CHROMIUM_PATH at a Chromium or Chrome executable.';

/** Where browsers live outside PATH (macOS apps, snaps). */
const APP_PATHS = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/snap/bin/chromium',
];
const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
const EXTRA_DIRS = ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'];

export type ChromiumLookup = { found: true; path: string; installed: boolean } | { found: false; reason: string };

/** A Chromium (or Chrome) already on this machine: CHROMIUM_PATH, then PATH, then the usual app paths. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.CHROMIUM_PATH) return (await isExecutable(env.CHROMIUM_PATH)) ? env.CHROMIUM_PATH : undefined;
  for (const name of NAMES) {
    const found = await which(name, EXTRA_DIRS);
    if (found) return found;
  }
  for (const file of APP_PATHS) if (await isExecutable(file)) return file;
  return undefined;
}

/**
 * Finds Chromium, installing Debian's `chromium` with apt-get when this is a Debian machine and
 * we are root (as the embedded stack does for redis-server). Never throws: when there is no
 * browser to be had it says why, so the caller can report loudly that its browser test did not run.
 */
export async function provideChromium(logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<ChromiumLookup> {
  const existing = await findChromium(env);
  if (existing) return { found: true, path: existing, installed: false };
  if (env.CHROMIUM_PATH) return { found: false, reason: `CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable. ${CHROMIUM_ADVICE}` };
  try {
    const installed = await ensureBinary('chromium', 'chromium', CHROMIUM_ADVICE, logger);
    return { found: true, path: installed, installed: true };
  } catch (error) {
    return { found: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
