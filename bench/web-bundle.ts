/**
 * First-screen JavaScript + CSS of the PWA, gzip -9, from a production build made in this run:
 *   - a visitor's portal home (the entry and its static imports),
 *   - a logged-in user's ticket list (the list's route chunk and its static imports: it renders the device's
 *     tickets read with plain IndexedDB; Dexie, the sync client and zod load beside it and are reported apart).
 * Baseline, built in the same run by the same vite: the framework floor of the same screen — solid-js
 * rendering through @solidjs/router one route that reads a table with Dexie's liveQuery.
 *
 *   pnpm bench:web-bundle
 *
 * Target: the ticket list ≤ 70 KB. ratio = first-screen bytes ÷ 70 KB (MET when ≤ 1.00).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = 70 * 1024;
const webRoot = fileURLToPath(new URL('../apps/web', import.meta.url));
// The web app's own plugin and libraries, resolved from where the web app resolves them.
const fromWeb = createRequire(join(webRoot, 'package.json'));
const { build } = (await import(pathToFileURL(fromWeb.resolve('vite')).href)) as {
  build: (config: Record<string, unknown>) => Promise<unknown>;
};
const { default: solid } = (await import(pathToFileURL(fromWeb.resolve('vite-plugin-solid')).href)) as {
  default: () => unknown;
};
const packageDir = (name: string) => join(webRoot, 'node_modules', name);

interface Chunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  isEntry?: boolean;
}
type Manifest = Record<string, Chunk>;

const gz = (path: string) => gzipSync(readFileSync(path), { level: 9 }).byteLength;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The files a set of manifest entries loads: each one, its static imports, their CSS. */
function filesOf(manifest: Manifest, keys: string[]): Set<string> {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk) throw new Error(`not in the build manifest: ${key}`);
    if (files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const next of chunk.imports ?? []) visit(next);
  };
  for (const key of keys) visit(key);
  return files;
}

const sizeOf = (dir: string, files: Iterable<string>) => [...files].reduce((sum, f) => sum + gz(join(dir, f)), 0);
/** A module's chunk: by its source path, or (a chunk shared with other entries) by the chunk's name. */
const keyEnding = (manifest: Manifest, suffix: string, chunkName?: string) => {
  const key = Object.keys(manifest).find(
    (k) => k.endsWith(suffix) || (chunkName !== undefined && manifest[k]?.file.startsWith(`assets/${chunkName}-`)),
  );
  if (!key) throw new Error(`no chunk for ${suffix}`);
  return key;
};

// The product.
const appOut = mkdtempSync(join(tmpdir(), 'mesa-bundle-'));
await build({
  root: webRoot,
  configFile: join(webRoot, 'vite.config.ts'),
  logLevel: 'warn',
  build: { outDir: appOut, emptyOutDir: true, manifest: 'manifest.json' },
});
const manifest = JSON.parse(readFileSync(join(appOut, 'manifest.json'), 'utf8')) as Manifest;
const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
if (!entry) throw new Error('no entry chunk');
const home = filesOf(manifest, [entry]);
// The list renders from a plain IndexedDB read (sync-client's first-read.ts); Dexie with the device database
// and the sync client with zod load beside it and take over, so they are reported apart.
const list = filesOf(manifest, [entry, keyEnding(manifest, 'src/routes/portal/tickets.tsx')]);
const after = filesOf(manifest, [
  keyEnding(manifest, 'packages/sync-client/src/schema.ts', 'schema'),
  keyEnding(manifest, 'packages/sync-client/src/index.ts', 'src'),
]);
for (const f of list) after.delete(f);
const chunks = Object.keys(manifest).length;

// The baseline: the same screen's framework floor, bundled the same way.
const floor = mkdtempSync(join(tmpdir(), 'mesa-floor-'));
writeFileSync(join(floor, 'index.html'), '<div id="root"></div><script type="module" src="/main.tsx"></script>');
writeFileSync(
  join(floor, 'main.tsx'),
  `import { Route, Router } from '@solidjs/router';
import { Dexie, liveQuery } from 'dexie';
import { createSignal, For, onCleanup } from 'solid-js';
import { render } from 'solid-js/web';
const db = new Dexie('floor');
db.version(1).stores({ tickets: 'id' });
function List() {
  const [rows, setRows] = createSignal<{ id: string }[]>([]);
  const sub = liveQuery(() => db.table('tickets').toArray()).subscribe(setRows);
  onCleanup(() => sub.unsubscribe());
  return <ul><For each={rows()}>{(r) => <li>{r.id}</li>}</For></ul>;
}
render(() => <Router><Route path="/" component={List} /></Router>, document.getElementById('root')!);
`,
);
const floorOut = join(floor, 'dist');
await build({
  root: floor,
  configFile: false,
  logLevel: 'warn',
  plugins: [solid()],
  resolve: {
    alias: {
      dexie: packageDir('dexie'),
      '@solidjs/router': packageDir('@solidjs/router'),
      'solid-js': packageDir('solid-js'),
    },
  },
  build: { outDir: floorOut, emptyOutDir: true, manifest: 'manifest.json', target: 'es2022' },
});
const floorManifest = JSON.parse(readFileSync(join(floorOut, 'manifest.json'), 'utf8')) as Manifest;
const floorEntry = Object.keys(floorManifest).find((k) => floorManifest[k]?.isEntry);
if (!floorEntry) throw new Error('no baseline entry');
const floorBytes = sizeOf(floorOut, filesOf(floorManifest, [floorEntry]));

const homeBytes = sizeOf(appOut, home);
const listBytes = sizeOf(appOut, list);
const afterBytes = sizeOf(appOut, after);
console.log(`build: ${chunks} chunks`);
console.log(`portal home (visitor):          ${kb(homeBytes)} in ${home.size} files`);
console.log(`ticket list (logged in):        ${kb(listBytes)} in ${list.size} files`);
// Where the bytes are, largest first.
for (const f of [...list].sort((a, b) => gz(join(appOut, b)) - gz(join(appOut, a)))) {
  console.log(`    ${kb(gz(join(appOut, f))).padStart(8)}  ${f}`);
}
console.log(
  `  then Dexie, the sync client and zod: ${kb(afterBytes)} in ${after.size} files (not on the first screen)`,
);
console.log(`baseline (solid + router + Dexie liveQuery, one list): ${kb(floorBytes)}`);
console.log(`ticket list vs baseline: ${(listBytes / floorBytes).toFixed(2)}×`);
if (home.size < 2 || list.size <= home.size) throw new Error('the build did not produce the expected chunks');

rmSync(appOut, { recursive: true, force: true });
rmSync(floor, { recursive: true, force: true });
const ratio = listBytes / BUDGET;
console.log(
  `result: first-screen JS+CSS gzip, ticket list ${kb(listBytes)} ÷ 70 KB ratio=${ratio.toFixed(2)} target=1.00 ${ratio <= 1 ? 'MET' : 'NOT MET'}`,
);
