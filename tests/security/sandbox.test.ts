/**
 * Issue case 4: the process sandbox. Docker's default seccomp profile is on
 * (`Seccomp: 2`) and a syscall it denies fails inside; an image's User is
 * honoured under both isolations, -User overrides it, and -UserNamespace maps
 * the container's root to an unprivileged host uid. Real runc containers and
 * one real (TCG) utility VM.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfsEntries, makeTar, type TestEntry } from '../core/helpers/tarWriter.js';
import { CoreServer } from './helpers/core.js';
import { runsAsRoot } from './helpers/user.js';

let work: string;
let state: string;
let core: CoreServer;
const made: string[] = [];

function statusField(pid: number, field: string): string {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return (line ?? '').slice(field.length + 1).trim().split(/\s+/).join(' ');
}

/** A `docker save` archive: one busybox layer (plus `extra` entries) and an image config with this User. */
function dockerArchive(file: string, user: string | null, extra: TestEntry[] = []): string {
  const layer = makeTar([...busyboxRootfsEntries(), ...extra]);
  const config = JSON.stringify({ config: { ...(user ? { User: user } : {}), Cmd: ['sleep', '600'] } });
  fs.writeFileSync(file, makeTar([
    { path: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', RepoTags: null, Layers: ['layer.tar'] }]) },
    { path: 'config.json', content: config },
    { path: 'layer.tar', content: layer },
  ]));
  return file;
}

async function create(args: Record<string, unknown>): Promise<{ hostPid: number | null }> {
  made.push(String(args.name));
  const answer = await core.request('container.create', { isolation: 'Process', ...args }, 240_000);
  expect(answer.error).toBeUndefined();
  return answer.body as { hostPid: number | null };
}

async function logOf(name: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const file = path.join(state, 'containers', name, 'container.log');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`${name}'s log never matched ${pattern}: ${JSON.stringify(text.slice(0, 500))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await execa('node', ['build/bundle.mjs']);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-sec-sandbox-'));
  // -UserNamespace needs the folders above the state dir to be searchable.
  fs.chmodSync(work, 0o711);
  state = path.join(work, 'state');
  core = await CoreServer.start({ ...process.env, WINDOWSCONTAINERS_STATE_DIR: state });
  const passwd: TestEntry[] = [
    { path: 'etc/', type: 'directory' },
    { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:4321:4322:app:/:/bin/sh\n' },
    { path: 'etc/group', content: 'root:x:0:\napp:x:4322:\nextra:x:4400:app\n' },
  ];
  for (const [name, user, extra] of [
    ['plain', null, passwd], ['nobody', '65534:65534', passwd], ['named', 'app', passwd],
    // /etc/passwd is an absolute link to /etc/shadow: resolved in the image (which has none), never the host's file.
    ['linked', 'root', [{ path: 'etc/', type: 'directory' }, { path: 'etc/passwd', type: 'symlink', linkTarget: '/etc/shadow' }]],
  ] as const) {
    const answer = await core.request('image.import', { path: dockerArchive(path.join(work, `${name}.tar`), user, [...extra]), name });
    expect(answer.error).toBeUndefined();
  }
}, 180_000);

afterAll(async () => {
  for (const name of made) await core?.request('container.remove', { name, force: true }, 120_000).catch(() => undefined);
  await core?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}, 240_000);

describe.skipIf(!runsAsRoot)('the process sandbox', () => {
  it('should run every process-isolated container under seccomp, where a syscall Docker denies fails', async () => {
    const info = await create({
      name: 'sec-seccomp', image: 'plain',
      command: ['sh', '-c', 'busybox unshare -U busybox true; echo unshare=$?; busybox true; echo allowed=$?; sleep 600'],
    });
    expect(statusField(info.hostPid!, 'Seccomp')).toBe('2');
    const log = await logOf('sec-seccomp', /allowed=\d/);
    expect(log).toMatch(/unshare=[1-9]/);
    expect(log).toContain('allowed=0');
  });

  it('should honour the image\'s User (uid:gid and a name from its own /etc/passwd, with its groups)', async () => {
    const nobody = await create({ name: 'sec-user-nobody', image: 'nobody' });
    expect(statusField(nobody.hostPid!, 'Uid')).toBe('65534 65534 65534 65534');
    expect(statusField(nobody.hostPid!, 'Gid')).toBe('65534 65534 65534 65534');
    const named = await create({ name: 'sec-user-named', image: 'named' });
    expect(statusField(named.hostPid!, 'Uid')).toBe('4321 4321 4321 4321');
    expect(statusField(named.hostPid!, 'Gid')).toBe('4322 4322 4322 4322');
    expect(statusField(named.hostPid!, 'Groups')).toBe('4400');
  });

  it('should let -User override the image and refuse a name the image does not have', async () => {
    const info = await create({ name: 'sec-user-override', image: 'nobody', user: '1234:5678' });
    expect(statusField(info.hostPid!, 'Uid')).toBe('1234 1234 1234 1234');
    expect(statusField(info.hostPid!, 'Gid')).toBe('5678 5678 5678 5678');
    const unknown = await core.request('container.create', { name: 'sec-user-unknown', image: 'plain', isolation: 'Process', user: 'ghost' });
    expect(unknown.error).toMatchObject({ code: 'InvalidUser' });
    expect(fs.existsSync(path.join(state, 'containers', 'sec-user-unknown'))).toBe(false);
  });

  it('should resolve the image\'s /etc/passwd inside the image even when it links to an absolute path', async () => {
    const answer = await core.request('container.create', { name: 'sec-user-linked', image: 'linked', isolation: 'Process' });
    // The host's /etc/shadow names root; the image's /etc/shadow does not exist.
    expect(answer.error).toMatchObject({ code: 'InvalidUser' });
    expect(JSON.stringify(answer.error)).not.toMatch(/\$[0-9y]\$|:\d+:\d+:\d+:/);
  });

  it('should map the container\'s root to an unprivileged host uid with -UserNamespace', async () => {
    const info = await create({ name: 'sec-userns', image: 'plain', userNamespace: true, command: ['sh', '-c', 'id; sleep 600'] });
    expect(statusField(info.hostPid!, 'Uid')).toBe('1000000000 1000000000 1000000000 1000000000');
    expect(fs.readFileSync(`/proc/${info.hostPid!}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', '1000000000', '65536']);
    expect(await logOf('sec-userns', /uid=/)).toMatch(/uid=0\b/);
    expect(statusField(info.hostPid!, 'Seccomp')).toBe('2');
  });
});

describe.skipIf(!runsAsRoot)('the utility VM sandbox', () => {
  it('should run the workload of a HyperV container as the image\'s User, with its groups', async () => {
    made.push('sec-vm-user');
    const answer = await core.request('container.create', {
      name: 'sec-vm-user', image: 'named', isolation: 'HyperV', command: ['sh', '-c', 'echo who=$(id -u):$(id -g) groups=$(id -G); sleep 600'],
    }, 240_000);
    expect(answer.error).toBeUndefined();
    const console = path.join(state, 'containers', 'sec-vm-user', 'console.log');
    const deadline = Date.now() + 60_000;
    let text = '';
    while (!/who=\d+:\d+ groups=[\d ]+\n/.test(text) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      text = fs.readFileSync(console, 'latin1');
    }
    // The image's User 'app' from its own /etc/passwd, with its supplementary group 4400 from /etc/group.
    expect(text).toMatch(/who=4321:4322 groups=4322 4400/);
  }, 300_000);
});
