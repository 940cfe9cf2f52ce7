// Compiles the core's native helpers (ts-core/native/*.c) with the system C
// compiler into dist/native/<os>-<cpu>/, beside the core bundle, where the
// core looks for them (ts-core/src/backends/linux/containerLog.ts) and from
// where build/Build-ModulePackage.ps1 copies them into the package.
//
// Each helper is linked statically where the C library has a static archive
// (Debian: libc6-dev), else dynamically, and is rebuilt only when its source
// or the flags change (a .sha256 stamp beside the binary). Without a compiler
// nothing is built and any stale binary is removed: the core then uses its
// node fallback and says so.
//
// Run by build/bundle.mjs (so `npm run build` and `npm run package` carry it)
// and by build/setup.d/10-log-writer.sh after it has made sure a compiler is
// there. `node build/native.mjs` runs it alone; it exits 1 when a compiler is
// present but a helper does not compile.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Node's names, as process.platform and process.arch say them (the core looks the folder up the same way). */
export const nativeDir = path.join(root, 'dist', 'native', `${process.platform}-${process.arch}`);

export const helpers = [{ source: 'ts-core/native/log-writer.c', output: 'wc-log-writer' }];

const FLAGS = ['-O2', '-Wall', '-Wextra', '-Werror', '-s'];

/** A compiler that also finds the C library's headers (Debian's gcc without libc6-dev does not). */
function findCompiler() {
  for (const name of [process.env.CC, 'cc', 'gcc'].filter(Boolean)) {
    const probe = spawnSync(name, ['-E', '-x', 'c', '-'], { input: '#include <unistd.h>\n', stdio: ['pipe', 'ignore', 'ignore'] });
    if (!probe.error && probe.status === 0) return name;
  }
  return null;
}

function compile(cc, source, output, linkFlags) {
  const result = spawnSync(cc, [...FLAGS, ...linkFlags, '-o', output, source], { encoding: 'utf8' });
  return { ok: !result.error && result.status === 0, message: (result.error?.message ?? result.stderr ?? '').trim() };
}

/**
 * Builds what is missing or stale. Returns one line per helper ('built',
 * 'up to date', 'skipped') for the caller to print; throws when a compiler
 * is present and a helper fails to compile.
 */
export function buildNative() {
  if (process.platform !== 'linux') return ['native helpers: not built on this platform (linux only)'];
  const lines = [];
  let cc;
  for (const helper of helpers) {
    const source = path.join(root, helper.source);
    const output = path.join(nativeDir, helper.output);
    const stampFile = `${output}.sha256`;
    const hash = createHash('sha256').update(FLAGS.join(' ')).update('\0').update(fs.readFileSync(source)).digest('hex');
    const stamp = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
    if (fs.existsSync(output) && stamp === hash) {
      lines.push(`${helper.output}: up to date`);
      continue;
    }
    cc ??= findCompiler();
    if (!cc) {
      fs.rmSync(output, { force: true });
      fs.rmSync(stampFile, { force: true });
      lines.push(`${helper.output}: skipped, no C compiler with the C library's headers (cc, gcc); the core falls back to its node log writer (apt-get install gcc libc6-dev, then node build/bundle.mjs)`);
      continue;
    }
    for (const dir of [path.dirname(nativeDir), nativeDir]) {
      fs.mkdirSync(dir, { recursive: true });
      // The core runs this binary as root only from a folder no one else can write.
      fs.chmodSync(dir, 0o755);
    }
    // A name of its own: test files build in parallel, and the rename below is atomic.
    const temporary = `${output}.${process.pid}.tmp`;
    const started = Date.now();
    let linkage = 'static';
    let result = compile(cc, source, temporary, ['-static']);
    if (!result.ok) {
      const staticMessage = result.message;
      result = compile(cc, source, temporary, []);
      linkage = 'dynamic (no static C library: apt-get install libc6-dev)';
      if (!result.ok) {
        fs.rmSync(temporary, { force: true });
        fs.rmSync(output, { force: true });
        fs.rmSync(stampFile, { force: true });
        throw new Error(`${helper.source} does not compile with ${cc}:\n${result.message || staticMessage}`);
      }
    }
    fs.chmodSync(temporary, 0o755);
    fs.renameSync(temporary, output);
    fs.writeFileSync(stampFile, `${hash}\n`);
    lines.push(`${helper.output}: built with ${cc}, ${linkage}, in ${Date.now() - started} ms -> ${path.relative(root, output)}`);
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    for (const line of buildNative()) process.stderr.write(`[native] ${line}\n`);
  } catch (error) {
    process.stderr.write(`[native] error: ${error.message}\n`);
    process.exitCode = 1;
  }
}
