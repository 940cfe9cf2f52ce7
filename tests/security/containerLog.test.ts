/**
 * Issue case 3: `yes` in a container must not fill the disk. The container's
 * output goes through a capped, rotating writer (container.log and
 * container.log.1); this runs `yes` in a real runc container and watches the
 * files stay under the cap while it writes as fast as it can (through the
 * native writer, which bundling builds beside the core).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBusyboxTar } from '../core/helpers/tarWriter.js';
import { CoreServer } from './helpers/core.js';
import { runsAsRoot } from './helpers/user.js';

const CAP = 1024 * 1024;
let work: string;
let state: string;
let core: CoreServer;

function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await execa('node', ['build/bundle.mjs']);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-sec-log-'));
  state = path.join(work, 'state');
  core = await CoreServer.start({ ...process.env, WINDOWSCONTAINERS_STATE_DIR: state, WINDOWSCONTAINERS_LOG_MAX_BYTES: String(CAP) });
  const tar = writeBusyboxTar(work);
  expect((await core.request('image.import', { path: tar, name: 'busybox' })).success).toBe(true);
}, 120_000);

afterAll(async () => {
  await core?.request('container.remove', { name: 'yes', force: true }).catch(() => undefined);
  await core?.request('container.remove', { name: 'yes-vm', force: true }, 120_000).catch(() => undefined);
  await core?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!runsAsRoot)('container log cap', () => {
  it('should keep the log of a container running `yes` under twice the cap, rotating it, and end the writer with the container', async () => {
    const created = await core.request('container.create', { name: 'yes', image: 'busybox', isolation: 'Process', command: ['/bin/busybox', 'yes'] }, 120_000);
    expect(created.error).toBeUndefined();
    const dir = path.join(state, 'containers', 'yes');
    const log = path.join(dir, 'container.log');
    await until('the first rotation', () => fs.existsSync(`${log}.1`), 60_000);
    const bound = CAP + 64 * 1024;
    for (let sample = 0; sample < 10; sample++) {
      const current = fs.statSync(log, { throwIfNoEntry: false })?.size ?? 0;
      const rotated = fs.statSync(`${log}.1`).size;
      expect(current).toBeLessThanOrEqual(bound);
      expect(rotated).toBeLessThanOrEqual(bound);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Whole lines, each with the writer's time prefix: a rotation falls between lines.
    expect(fs.readFileSync(`${log}.1`, 'latin1').slice(0, 54)).toMatch(/^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z y\n){2}$/);
    // The writer, running: the native one the bundle found beside itself (dist/native), not node.
    expect(processesMentioning(dir).map((pid) => path.basename(fs.readlinkSync(`/proc/${pid}/exe`)))).toEqual(['wc-log-writer']);
    expect((await core.request('container.remove', { name: 'yes', force: true }, 120_000)).success).toBe(true);
    await until('the writer to end', () => processesMentioning(dir).length === 0, 30_000);
  }, 240_000);

  it('should cap the console of a HyperV container running `yes` the same way', async () => {
    const created = await core.request('container.create', { name: 'yes-vm', image: 'busybox', isolation: 'HyperV', command: ['/bin/busybox', 'yes'] }, 240_000);
    expect(created.error).toBeUndefined();
    const dir = path.join(state, 'containers', 'yes-vm');
    const log = path.join(dir, 'console.log');
    await until('the first rotation of the console', () => fs.existsSync(`${log}.1`), 120_000);
    // QEMU's stdout goes through the native writer too.
    expect(processesMentioning(dir).map((pid) => path.basename(fs.readlinkSync(`/proc/${pid}/exe`)))).toContain('wc-log-writer');
    const bound = CAP + 64 * 1024;
    for (let sample = 0; sample < 10; sample++) {
      expect(fs.statSync(log, { throwIfNoEntry: false })?.size ?? 0).toBeLessThanOrEqual(bound);
      expect(fs.statSync(`${log}.1`).size).toBeLessThanOrEqual(bound);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await core.request('container.remove', { name: 'yes-vm', force: true }, 120_000)).success).toBe(true);
    await until('the console writer to end', () => processesMentioning(dir).length === 0, 30_000);
  }, 300_000);
});
