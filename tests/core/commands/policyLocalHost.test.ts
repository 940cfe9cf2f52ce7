import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HostOs } from '../../../ts-core/src/host/hostInfo.js';
import type { CoreEvent } from '../../../ts-core/src/protocol/envelope.js';

/**
 * The core resolves the local host itself (the module sends no host): these
 * tests stand in for the host the core reads, a Windows one on this Linux
 * machine, so the answers a real Windows host would get can be checked here.
 */
const localHost = vi.hoisted(() => ({ value: null as HostOs | null }));
vi.mock('../../../ts-core/src/host/hostInfo.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../ts-core/src/host/hostInfo.js')>();
  return { ...original, readHostOs: async () => localHost.value ?? original.readHostOs() };
});

const { Dispatcher } = await import('../../../ts-core/src/protocol/dispatcher.js');
const { allCommands } = await import('../../../ts-core/src/commands/index.js');

const server2016: HostOs = { platform: 'win32', name: 'Windows Server 2016 Datacenter', version: '10.0.14393', build: 14393, revision: 6897, hostClass: 'Server', architecture: 'x64' };
const server2022: HostOs = { platform: 'win32', name: 'Windows Server 2022 Datacenter', version: '10.0.20348', build: 20348, revision: 2527, hostClass: 'Server', architecture: 'x64' };
const debian: HostOs = { platform: 'linux', name: 'Debian GNU/Linux 12 (bookworm)', version: '6.1.0', build: null, revision: null, hostClass: null, architecture: 'x64' };

async function call(command: string, args: unknown) {
  const events: CoreEvent[] = [];
  const response = await new Dispatcher(allCommands).execute(1, command, args, (e) => events.push(e));
  return { response, events };
}

afterEach(() => {
  localHost.value = null;
});

describe('isolation.compatibility for this machine (no host given)', () => {
  it('Should keep a Windows Server 2016 host revision, so same-revision images pass and others are refused, not unknown', async () => {
    localHost.value = server2016;
    const { response } = await call('isolation.compatibility', {
      images: [{ reference: 'mcr.microsoft.com/windows/servercore:10.0.14393.6897' }, { reference: 'mcr.microsoft.com/windows/servercore:10.0.14393.5125' }],
      isolations: ['Process'],
    });
    expect(response).toMatchObject({ success: true, body: { host: { build: 14393, revision: 6897, class: 'Server', source: 'local' } } });
    const results = (response as { body: { results: { allowed: boolean | null; reason: string }[] } }).body.results;
    expect(results.map((r) => r.allowed)).toEqual([true, false]);
    expect(results[1]!.reason).toContain('10.0.14393.6897');
  });

  it('Should raise HostBuildRequired on a host that is not Windows, naming it and saying what to give', async () => {
    localHost.value = debian;
    const { response } = await call('isolation.compatibility', { images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2022' }] });
    expect(response).toMatchObject({ success: false, error: { code: 'HostBuildRequired', category: 'InvalidArgument' } });
    if (!response.success) expect(response.error.message).toMatch(/Debian GNU\/Linux 12.*-HostBuild.*-HostEdition/);
  });

  it('Should still answer for a given host on a host that is not Windows', async () => {
    localHost.value = debian;
    const { response } = await call('isolation.compatibility', { images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2022' }], host: { build: 20348 }, isolations: ['Process'] });
    expect(response).toMatchObject({ success: true, body: { results: [{ allowed: true }] } });
  });
});

describe('container.create pre-flight (one round trip)', () => {
  let state: string;
  let previous: string | undefined;
  beforeEach(async () => {
    state = await mkdtemp(path.join(os.tmpdir(), 'wc-preflight-'));
    previous = process.env.WINDOWSCONTAINERS_STATE_DIR;
    process.env.WINDOWSCONTAINERS_STATE_DIR = state;
  });
  afterEach(async () => {
    if (previous === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
    else process.env.WINDOWSCONTAINERS_STATE_DIR = previous;
    await rm(state, { recursive: true, force: true });
  });

  it('Should warn, before the backend runs, when a Windows image cannot be checked (a digest names no build)', async () => {
    localHost.value = server2022;
    const image = `mcr.microsoft.com/windows/servercore@sha256:${'b'.repeat(64)}`;
    const { response, events } = await call('container.create', { name: 'pf', image, isolation: 'HyperV', backend: 'linux' });
    const warnings = events.filter((e) => e.type === 'event' && e.event === 'warning');
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0])).toContain('Could not check');
    // The backend then decides: the linux backend has no such image.
    expect(response.success).toBe(false);
    if (!response.success) expect(response.error.code).not.toBe('ImageIncompatibleWithHost');
    expect(await readdir(state)).not.toContain('containers-pf');
  });

  it('Should refuse an incompatible Windows image with the reason and the suggestion, and warn about nothing', async () => {
    localHost.value = server2022;
    const { response, events } = await call('container.create', { name: 'pf', image: 'mcr.microsoft.com/windows/servercore:ltsc2019', isolation: 'Process', backend: 'linux' });
    expect(response).toMatchObject({ success: false, error: { code: 'ImageIncompatibleWithHost', details: { hostBuild: 20348, imageBuild: 17763 } } });
    if (!response.success) expect(response.error.message).toContain('Use -Isolation HyperV, or an ltsc2022 image.');
    expect(events.filter((e) => e.type === 'event' && e.event === 'warning')).toEqual([]);
    expect(await readdir(state)).toEqual([]);
  });

  it('Should not warn about an image nothing marks as Windows', async () => {
    localHost.value = server2022;
    const { events } = await call('container.create', { name: 'pf', image: 'no-such-image', isolation: 'Process', backend: 'linux' });
    expect(events.filter((e) => e.type === 'event' && e.event === 'warning')).toEqual([]);
  });
});

describe('the words of a refusal on a host that is not Windows', () => {
  it('Should name the image build once, with one comma', async () => {
    const { evaluateCompatibility, hostFromOs } = await import('../../../ts-core/src/commands/policy.js');
    const [item] = evaluateCompatibility({ images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2019' }], isolations: ['Process'] }, hostFromOs(debian));
    expect(item!.reason).toContain('is a Windows image, ltsc2019 (17763), and this host runs Debian');
    expect(item!.reason).not.toContain(',,');
  });
});
