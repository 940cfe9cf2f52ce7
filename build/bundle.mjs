// Bundles the core into one file the module runs with node. koffi stays
// external: it carries prebuilt native binaries that must be loaded from
// node_modules. The hcs backend loads it, and the linux backend for mount(2)
// (it falls back to mount(8) if koffi cannot be loaded).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

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
