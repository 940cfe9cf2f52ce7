// Container create-and-start through the docker backend (Engine API over the
// socket) against `docker run -d` with the docker CLI, both on the same
// private dockerd in the same run. Prints medians and the ratio; no gates.
//
//   node bench/docker-create.mjs [iterations]      (root, Linux: starts its own dockerd)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const harness = path.join(repo, 'tests/docker/private-dockerd.sh');
const iterations = Number(process.argv[2] ?? 8);
const cli = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

if (process.platform !== 'linux' || process.getuid?.() !== 0) {
  console.log('docker-create: skipped (needs root on Linux to start a private dockerd)');
  process.exit(0);
}

// The backend is TypeScript; bundle it for this run only.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'wc-bench-'));
const out = await build({
  entryPoints: [path.join(repo, 'ts-core/src/backends/docker/index.ts')],
  bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false,
  // The bundle may import createRequire itself (koffi, via the hcs backend): alias ours.
  banner: { js: "import { createRequire as wcCreateRequire } from 'node:module'; const require = wcCreateRequire(import.meta.url);" },
});
const bundled = path.join(tmp, 'docker-backend.mjs');
writeFileSync(bundled, out.outputFiles[0].contents);
let createDockerBackend;
try {
  ({ createDockerBackend } = await import(pathToFileURL(bundled).href));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const started = execFileSync('bash', [harness, 'start'], { encoding: 'utf8' });
const env = Object.fromEntries(started.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
const docker = (args) => execFileSync(cli, args, { env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST }, encoding: 'utf8' }).trim();
const backend = createDockerBackend({ host: env.DOCKER_HOST, execRoots: [env.EXEC_ROOT] });
// A command context as the dispatcher makes one per request: a create reads the daemon's /info once.
const newContext = () => {
  const memos = new Map();
  return { requestId: 0, progress() {}, verbose() {}, warning() {}, memo: (key, compute) => (memos.has(key) ? memos.get(key) : memos.set(key, compute()).get(key)) };
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(isolation, runtimeArgs) {
  const api = [];
  const viaCli = [];
  // Warm both paths once (image layers, the client's version negotiation).
  for (let i = -1; i < iterations; i++) {
    const name = `bench-api-${isolation}-${i + 1}`;
    let t = process.hrtime.bigint();
    await backend.create({ name, image: env.IMAGE, isolation, command: ['/bin/sleep', '300'], env: {}, workingDir: '', hostname: '', memoryMB: undefined, cpuCount: undefined }, newContext());
    const apiMs = Number(process.hrtime.bigint() - t) / 1e6;
    await backend.remove(name, true, newContext());
    t = process.hrtime.bigint();
    docker(['run', '-d', ...runtimeArgs, '--name', `bench-cli-${isolation}-${i + 1}`, env.IMAGE, '/bin/sleep', '300']);
    const cliMs = Number(process.hrtime.bigint() - t) / 1e6;
    docker(['rm', '-f', `bench-cli-${isolation}-${i + 1}`]);
    if (i >= 0) {
      api.push(apiMs);
      viaCli.push(cliMs);
    }
  }
  return { api: median(api), cli: median(viaCli) };
}

let failed = false;
try {
  const rows = [['Process (runc)', await measure('Process', [])]];
  if (env.RUNSC) rows.push(['HyperV-class (runsc)', await measure('HyperV', ['--runtime', 'runsc'])]);
  console.log(`docker create-and-start, median of ${iterations} (storage driver ${env.STORAGE_DRIVER}):`);
  for (const [label, r] of rows) {
    console.log(`  ${label.padEnd(22)} backend ${r.api.toFixed(1).padStart(8)} ms   docker run -d ${r.cli.toFixed(1).padStart(8)} ms   ratio backend/cli ${(r.api / r.cli).toFixed(2)}`);
  }
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  try {
    execFileSync('bash', [harness, 'stop', env.DIR], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
