// Bundles the core into one file the module runs with node. koffi stays
// external: it carries prebuilt native binaries that must be loaded from
// node_modules, and only the hcs backend loads it.
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
