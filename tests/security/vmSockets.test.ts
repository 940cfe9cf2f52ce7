/**
 * Issue case 2: a utility VM's sockets never live in a shared temp folder.
 * Earlier versions moved them to $TMPDIR/wc-vm-<hash> when the container
 * directory's path was long, and reused that folder even when another user
 * had made it, so a fake agent there could answer for the VM. A comma in the
 * state-dir path also broke every HyperV create (QEMU's option syntax).
 * One real (TCG) boot carries the whole case.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootUtilityVm, destroyUtilityVm, readVmRecord, vmProcesses, writeVmRecord,
} from '../../ts-core/src/backends/linux/vm/utilityVm.js';
import type { CommandContext } from '../../ts-core/src/protocol/dispatcher.js';
import { newRequestScope } from '../../ts-core/src/protocol/scope.js';
import { createTestUser, removeTestUser, runAs, runsAsRoot, type TestUser } from './helpers/user.js';

const context: CommandContext = { ...newRequestScope(), requestId: 1, progress: () => undefined, verbose: () => undefined, warning: () => undefined };
let work: string;
let user: TestUser | undefined;
let rootfs: string;
const previousState = process.env.WINDOWSCONTAINERS_STATE_DIR;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-sec-vm-'));
  // A comma in the state dir: QEMU's option syntax must not see it.
  process.env.WINDOWSCONTAINERS_STATE_DIR = path.join(work, 'state,with,commas');
  rootfs = path.join(work, 'rootfs');
  fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'));
  for (const applet of ['sh', 'sleep']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  if (runsAsRoot) user = createTestUser();
});

afterAll(() => {
  if (previousState === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
  else process.env.WINDOWSCONTAINERS_STATE_DIR = previousState;
  fs.rmSync(work, { recursive: true, force: true });
  removeTestUser(user);
});

describe.skipIf(!runsAsRoot)('utility VM sockets', () => {
  it('should keep the sockets of a long-named container in its own directory, ignore a fake agent another user prepared, and refuse an old record that points there', async () => {
    // 63 characters: the longest container name; the socket path is far over 107 bytes.
    const id = `s${process.pid}`.padEnd(63, 'x');
    const dir = path.join(process.env.WINDOWSCONTAINERS_STATE_DIR!, 'containers', id);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    expect(path.join(dir, 'agent.sock').length).toBeGreaterThan(107);

    // The attacker prepares the folder the old code would have used, with a fake agent in it.
    const oldFolder = path.join(os.tmpdir(), `wc-vm-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`);
    runAs(user!, ['mkdir', '-m', '0777', oldFolder]);
    let fakeConnections = 0;
    const fake = net.createServer((socket) => {
      fakeConnections++;
      socket.end('WCAGENT READY 1 fake\n');
    });
    await new Promise<void>((resolve) => fake.listen(path.join(oldFolder, 'agent.sock'), resolve));
    fs.chownSync(path.join(oldFolder, 'agent.sock'), user!.uid, user!.gid);
    // Folders named like the old fallback (wc-vm-<16 hex>); other tests' mkdtemp folders come and go meanwhile.
    const fallbackNamed = () => fs.readdirSync(os.tmpdir()).filter((n) => /^wc-vm-[0-9a-f]{16}$/.test(n)).sort();
    const tmpBefore = fallbackNamed();

    let record;
    try {
      record = await bootUtilityVm({
        // TCG without the KVM probe: the probe is not what this test is about.
        containerId: id, dir, rootfsDir: rootfs, accel: 'tcg',
        guest: { containerId: id, hostname: 'sock', workingDir: '/', command: ['sleep', '600'], env: {} },
      }, context);
      try {
        expect(record.socketDir).toBe(dir);
        expect(record.files.agentSocket).toBe(path.join(dir, 'agent.sock'));
        expect(fs.lstatSync(record.files.agentSocket).isSocket()).toBe(true);
        // No new folder in the shared temp folder.
        expect(fallbackNamed()).toEqual(tmpBefore);
        const list = await vmProcesses(record);
        expect(list.processes.map((p) => p.commandLine)).toContain('sleep 600');

        // A record in the older shape, whose sockets sit in the attacker's folder: refused, never connected.
        const old = { ...record, socketDir: oldFolder, files: { ...record.files, agentSocket: path.join(oldFolder, 'agent.sock') } };
        await writeVmRecord(old);
        const reread = (await readVmRecord(dir))!;
        await expect(vmProcesses(reread)).rejects.toMatchObject({ code: 'UnsafePath' });
        await writeVmRecord(record);
        expect(fakeConnections).toBe(0);
      } finally {
        await destroyUtilityVm(record, context);
      }
      expect(fs.existsSync(path.join(dir, 'agent.sock'))).toBe(false);
      // The attacker's folder is not ours to remove: it is left as it was.
      expect(fs.existsSync(path.join(oldFolder, 'agent.sock'))).toBe(true);
    } finally {
      await new Promise<void>((resolve) => fake.close(() => resolve()));
      fs.rmSync(oldFolder, { recursive: true, force: true });
    }
  }, 240_000);
});
