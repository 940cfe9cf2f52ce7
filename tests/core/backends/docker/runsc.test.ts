import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRunscRoot, rootFromCommandLine } from '../../../../ts-core/src/backends/docker/runsc.js';

const id = 'b'.repeat(64);
const dir = mkdtempSync(path.join(os.tmpdir(), 'wc-runscroot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stateUnder(root: string, containerId = id): void {
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, `${containerId}_sandbox:${containerId}.state`), '{}');
}

describe('runsc runtime root', () => {
  it('reads --root in both spellings', () => {
    expect(rootFromCommandLine(['runsc-sandbox', '--root=/run/x/moby', 'boot'])).toBe('/run/x/moby');
    expect(rootFromCommandLine(['runsc', '--root', '/run/y', 'ps'])).toBe('/run/y');
    expect(rootFromCommandLine(['runsc-sandbox', 'boot'])).toBeNull();
  });

  it('finds the state under the exec root when the sandbox cannot be read (Docker 20.10 layout)', async () => {
    const execRoot = path.join(dir, 'exec-a');
    stateUnder(path.join(execRoot, 'runtime-runc', 'moby'));
    expect(await findRunscRoot(id, 0, [execRoot])).toBe(path.join(execRoot, 'runtime-runc', 'moby'));
  });

  it('prefers the runtime-runsc layout of newer shims', async () => {
    const execRoot = path.join(dir, 'exec-b');
    stateUnder(path.join(execRoot, 'runtime-runsc', 'moby'));
    stateUnder(path.join(execRoot, 'runtime-runc', 'moby'));
    expect(await findRunscRoot(id, 0, [execRoot])).toBe(path.join(execRoot, 'runtime-runsc', 'moby'));
  });

  it('uses no root that lacks this container\'s state file', async () => {
    const execRoot = path.join(dir, 'exec-c');
    stateUnder(path.join(execRoot, 'runtime-runc', 'moby'), 'c'.repeat(64));
    expect(await findRunscRoot(id, 0, [execRoot, path.join(dir, 'missing')])).toBeNull();
    // A live PID whose command line has no --root (this test's own process) adds nothing.
    expect(await findRunscRoot(id, process.pid, [execRoot])).toBeNull();
  });
});
