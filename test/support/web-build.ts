import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PWA built once per run, as `pnpm start` serves it. */
    webDist: string;
  }
}

/** The production build of the PWA (service worker, icons, chunks) in a new temporary directory. */
export async function buildWeb(): Promise<string> {
  const root = fileURLToPath(new URL('../../apps/web', import.meta.url));
  const outDir = mkdtempSync(join(tmpdir(), 'mesa-web-'));
  await build({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** Builds the web app once for every browser test. */
export default async function setup(project: TestProject) {
  const outDir = await buildWeb();
  project.provide('webDist', outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}
