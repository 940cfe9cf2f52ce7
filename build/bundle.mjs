// Bundles the core into one file the module runs with node. koffi stays
// external: it carries prebuilt native binaries that must be loaded from
// node_modules. The hcs backend loads it, and the linux backend for mount(2)
// (it falls back to mount(8) if koffi cannot be loaded).
//
// Beside the bundle it writes the response contract: one JSON Schema per
// command in dist/schemas/<command>.response.json, generated from the zod
// schemas in ts-core/src/domain/responses.ts; and, beside the module
// manifest, the DSC v3 resource manifest whose embedded instance schema comes
// from the same zod schema container.converge validates with
// (ts-core/src/domain/desiredState.ts).
//
// And the native helpers under dist/native/<os>-<cpu>/ (build/native.mjs): the
// capped log writer each container's output goes through. Without a C
// compiler they are skipped (the core falls back to a node writer).
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { buildNative } from './native.mjs';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['ts-core/src/cli.ts'],
  outfile: 'dist/windowscontainers-core.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external: ['koffi'],
  define: { __CORE_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

const generator = 'dist/.response-schemas.mjs';
await build({
  entryPoints: ['ts-core/src/domain/jsonSchemas.ts'],
  outfile: generator,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
});
try {
  const { responseJsonSchemas, dscResourceManifest, DSC_MANIFEST_FILE } = await import(pathToFileURL(generator).href);
  await writeFile(DSC_MANIFEST_FILE, `${JSON.stringify(dscResourceManifest(pkg.version), null, 2)}\n`);
  await rm('dist/schemas', { recursive: true, force: true });
  await mkdir('dist/schemas', { recursive: true });
  for (const [command, schema] of Object.entries(responseJsonSchemas())) {
    await writeFile(`dist/schemas/${command}.response.json`, `${JSON.stringify(schema, null, 2)}\n`);
  }
} finally {
  await rm(generator, { force: true });
}

// Quiet when nothing changed, like the rest of the bundle.
for (const line of buildNative()) if (!line.endsWith(': up to date')) console.error(`[native] ${line}`);
