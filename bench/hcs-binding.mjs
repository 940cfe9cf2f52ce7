// The cost of the HCS binding's safety on one operation, measured against the
// stand-in (tests/hcs-standin/standin.c, built here with cc; its completion
// delay is set to 0 so only the binding is timed):
//   baseline: create operation → enumerate → HcsWaitForOperationResult called
//             synchronously on the event loop → decode → LocalFree → close
//   measured: ComputeCore.enumerate, which waits on koffi's worker thread
//             (.async) so the event loop never blocks, inside try/finally.
// Prints both and the ratio; no absolute gate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import koffi from 'koffi';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'wc-bench-hcs-'));
try {
  const library = path.join(dir, 'libhcsstandin.so');
  execFileSync('cc', ['-shared', '-fPIC', '-pthread', '-O2', '-o', library, path.join(root, 'tests/hcs-standin/standin.c')]);
  // Inside node_modules so that the bundle's `import('koffi')` resolves to the repository's koffi.
  const entry = path.join(root, 'node_modules', '.cache', 'wc-bench-hcs', 'computecore.mjs');
  await build({
    entryPoints: [path.join(root, 'ts-core/src/backends/hcs/computecore.ts')],
    outfile: entry, bundle: true, platform: 'node', format: 'esm', external: ['koffi'], logLevel: 'warning',
  });
  const { ComputeCore } = await import(pathToFileURL(entry).href);

  const lib = koffi.load(library);
  const add = lib.func('int32_t StandinAddSystem(const char *id, const char *t, const char *n, const char *o, const char *r, const char *os, const char *s, const char *h, const char *pl)');
  lib.func('void StandinSetDelay(uint32_t ms)')(0);
  for (let i = 0; i < 20; i++) add(`container-${i}`, 'Container', `name-${i}`, 'docker', null, 'Windows', 'Running', null, null);
  const create = lib.func('void * HcsCreateOperation(void *context, void *callback)');
  const close = lib.func('void HcsCloseOperation(void *operation)');
  const enumerate = lib.func('int32_t HcsEnumerateComputeSystems(const char16_t *query, void *operation)');
  const wait = lib.func('int32_t HcsWaitForOperationResult(void *operation, uint32_t timeoutMs, _Out_ void **doc)');
  const localFree = lib.func('void * LocalFree(void *memory)');

  const core = await ComputeCore.load({ WINDOWSCONTAINERS_HCS_LIBRARY: library }, process.platform);
  const rounds = 2000;

  function baselineOnce() {
    const op = create(null, null);
    enumerate(null, op);
    const out = [null];
    wait(op, 5000, out);
    const text = koffi.decode.string16(out[0]);
    localFree(out[0]);
    close(op);
    return text;
  }

  async function time(fn) {
    for (let i = 0; i < 100; i++) await fn(); // warm up
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await fn();
    return Number(process.hrtime.bigint() - start) / 1e3 / rounds;
  }

  const baseline = await time(async () => baselineOnce());
  const measured = await time(() => core.enumerate(null, 5000));
  console.log(`baseline (sync wait on the event loop): ${baseline.toFixed(1)} µs per enumerate`);
  console.log(`ComputeCore.enumerate (.async wait, finally-closed): ${measured.toFixed(1)} µs per enumerate`);
  console.log(`ratio: ${(measured / baseline).toFixed(2)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(path.join(root, 'node_modules', '.cache', 'wc-bench-hcs'), { recursive: true, force: true });
}
