import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../ts-core/src/protocol/dispatcher.js';
import { allCommands } from '../../../ts-core/src/commands/index.js';
import { evaluateCompatibility, hostFromArgs, hostFromOs } from '../../../ts-core/src/commands/policy.js';
import type { CoreEvent } from '../../../ts-core/src/protocol/envelope.js';

async function call(args: unknown) {
  const events: CoreEvent[] = [];
  const response = await new Dispatcher(allCommands, { progressDelayMs: 0 }).execute(1, 'isolation.compatibility', args, (e) => events.push(e));
  return { response, events };
}

describe('isolation.compatibility', () => {
  it('Should be registered with the dispatcher', () => {
    expect(new Dispatcher(allCommands).commandNames).toContain('isolation.compatibility');
  });

  it('Should answer many images in one call, one result per image per isolation, in order', async () => {
    const images = ['mcr.microsoft.com/windows/servercore:ltsc2019', 'mcr.microsoft.com/windows/servercore:ltsc2022', 'mcr.microsoft.com/windows/nanoserver:ltsc2025'];
    const { response } = await call({ images: images.map((reference) => ({ reference })), host: { build: '10.0.20348' } });
    expect(response.success).toBe(true);
    const body = (response as { body: { host: { build: number; class: string }; results: { image: string; isolation: string; allowed: boolean }[] } }).body;
    expect(body.host).toMatchObject({ build: 20348, class: 'Server', source: 'given' });
    expect(body.results.map((r) => [r.image.split(':')[1], r.isolation, r.allowed])).toEqual([
      ['ltsc2019', 'Process', false],
      ['ltsc2019', 'HyperV', true],
      ['ltsc2022', 'Process', true],
      ['ltsc2022', 'HyperV', true],
      ['ltsc2025', 'Process', false],
      ['ltsc2025', 'HyperV', false],
    ]);
  });

  it('Should answer a malformed reference in its own item and go on with the rest', async () => {
    const { response } = await call({ images: [{ reference: 'Bad:ref:x' }, { reference: 'mcr.microsoft.com/windows/servercore:ltsc2022' }], host: { edition: 'Windows Server 2022' } });
    expect(response.success).toBe(true);
    const results = (response as { body: { results: { image: string; error: { code: string; message: string } | null; allowed: boolean | null }[] } }).body.results;
    expect(results).toHaveLength(3);
    expect(results[0]!.error?.code).toBe('InvalidImageReference');
    expect(results[0]!.error?.message).toContain("'Bad:ref:x'");
    expect(results[1]!.allowed).toBe(true);
  });

  it('Should take the build of a digest reference from imageBuild', async () => {
    const { response } = await call({
      images: [{ reference: `mcr.microsoft.com/windows/servercore@sha256:${'0'.repeat(64)}`, imageBuild: '10.0.17763.5458' }],
      host: { build: 20348 },
      isolations: ['Process'],
    });
    const result = (response as { body: { results: Record<string, unknown>[] } }).body.results[0]!;
    expect(result).toMatchObject({ allowed: false, imageBuild: 17763, imageRevision: 5458, imageRelease: 'ltsc2019', hostBuild: 20348 });
  });

  it('Should fail the whole call with InvalidHostVersion for a bad host, naming it', async () => {
    const { response } = await call({ images: [{ reference: 'busybox' }], host: { edition: 'Windows 12' } });
    expect(response.success).toBe(false);
    const error = (response as { error: { code: string; message: string; category: string } }).error;
    expect(error.code).toBe('InvalidHostVersion');
    expect(error.message).toContain("'Windows 12'");
    expect(error.category).toBe('InvalidArgument');
  });

  it('Should refuse a host build and edition that disagree', async () => {
    const { response } = await call({ images: [{ reference: 'busybox' }], host: { build: 17763, edition: 'Windows Server 2022' } });
    expect(response).toMatchObject({ error: { code: 'InvalidHostVersion', message: expect.stringMatching(/'Windows Server 2022' is build 20348, but the build 17763 was given/) } });
  });

  it('Should take an OS caption as Windows writes it, with the build (Test-IsolationCompatibility -HostEdition (Get-CimInstance Win32_OperatingSystem).Caption)', async () => {
    const { response } = await call({ images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2022' }], isolations: ['HyperV'], host: { build: '10.0.22631', edition: 'Microsoft Windows 11 Pro' } });
    expect(response).toMatchObject({ success: true, body: { host: { build: 22631, class: 'Client' } } });
  });

  it('Should reject arguments outside the schema (no images)', async () => {
    const { response } = await call({ images: [] });
    expect((response as { error: { code: string } }).error.code).toBe('InvalidArgument');
  });

  it('Should resolve Default per host class and say so as a verbose event', async () => {
    const client = await call({ images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2019' }], host: { edition: 'Windows 11 23H2' }, isolations: ['Default'] });
    const result = (client.response as { body: { results: Record<string, unknown>[] } }).body.results[0]!;
    expect(result).toMatchObject({ requestedIsolation: 'Default', isolation: 'HyperV', defaulted: true, allowed: true });
    expect(client.events).toContainEqual(expect.objectContaining({ event: 'verbose', body: { message: expect.stringContaining('means HyperV') } }));

    const server = await call({ images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2019' }], host: { edition: 'Windows Server 2022' }, isolations: ['Default'] });
    expect((server.response as { body: { results: Record<string, unknown>[] } }).body.results[0]).toMatchObject({ isolation: 'Process', allowed: false });

    const linux = await call({ images: [{ reference: 'busybox' }], host: { edition: 'Windows 11 23H2' }, isolations: ['Default'], backend: 'linux' });
    expect((linux.response as { body: { results: Record<string, unknown>[] } }).body.results[0]).toMatchObject({ isolation: 'Process' });
  });

  it('Should report progress for large batches', async () => {
    const images = Array.from({ length: 120 }, (_, i) => ({ reference: `contoso/app${i}:ltsc2022` }));
    const { response, events } = await call({ images, host: { build: 20348 }, isolations: ['HyperV'] });
    expect((response as { body: { results: unknown[] } }).body.results).toHaveLength(120);
    expect(events.filter((e) => e.type === 'event' && e.event === 'progress').length).toBeGreaterThanOrEqual(2);
  });
});

describe('a host that is not Windows', () => {
  const linux = hostFromOs({ platform: 'linux', name: 'Debian GNU/Linux 12 (bookworm)', version: '6.1.0', build: null, revision: null, hostClass: null, architecture: 'x64' });

  it('Should refuse Windows images under any isolation', () => {
    const results = evaluateCompatibility({ images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2022' }] }, linux);
    expect(results.map((r) => r.allowed)).toEqual([false, false]);
    expect(results[0]!.reason).toContain('Debian GNU/Linux 12');
    expect(results[0]!.suggestion).toContain('Windows host');
  });

  it('Should leave other images unanswered rather than guess', () => {
    const [result] = evaluateCompatibility({ images: [{ reference: 'busybox' }], isolations: ['Default'] }, linux);
    expect(result).toMatchObject({ allowed: null, isolation: 'Process', windowsImage: null });
  });
});

describe('host descriptions', () => {
  it('Should take the class from the edition and name the host', () => {
    expect(hostFromArgs({ edition: 'Windows 10 1809' })).toMatchObject({ build: 17763, class: 'Client', name: 'Windows 10 1809 (17763)' });
    expect(hostFromArgs({ build: '10.0.17763.5458' })).toMatchObject({ build: 17763, revision: 5458, class: null, name: 'Windows Server 2019 or Windows 10 1809 (17763)' });
    expect(hostFromArgs({ build: 17763, class: 'Client' })).toMatchObject({ class: 'Client', name: 'Windows 10 1809 (17763)' });
  });

  it('Should use a local Windows host as read by host.info', () => {
    expect(hostFromOs({ platform: 'win32', name: 'Windows Server 2022 Datacenter', version: '10.0.20348', build: 20348, revision: 2527, hostClass: 'Server', architecture: 'x64' })).toMatchObject({
      build: 20348,
      revision: 2527,
      class: 'Server',
      source: 'local',
    });
  });

  it('Should apply the Windows Server 2016 same-revision rule with the revision host.info read', () => {
    const host = hostFromOs({ platform: 'win32', name: 'Windows Server 2016 Datacenter', version: '10.0.14393', build: 14393, revision: 6897, hostClass: 'Server', architecture: 'x64' });
    const check = (reference: string) =>
      evaluateCompatibility({ images: [{ reference }], isolations: ['Process'] }, host)[0]!.allowed;
    expect(check('mcr.microsoft.com/windows/servercore:10.0.14393.6897')).toBe(true);
    expect(check('mcr.microsoft.com/windows/servercore:10.0.14393.5125')).toBe(false);
  });

  it('Should refuse an edition and a class that contradict each other', () => {
    expect(() => hostFromArgs({ edition: 'Windows Server 2022', class: 'Client' })).toThrow(/is a Server edition, but the class Client was given/);
  });

  it('Should let an explicit class settle an ambiguous build', () => {
    const server = evaluateCompatibility({ images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2019' }], isolations: ['Process'] }, hostFromArgs({ build: 17763, class: 'Server' }));
    const client = evaluateCompatibility({ images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2019' }], isolations: ['Process'] }, hostFromArgs({ build: 17763, class: 'Client' }));
    const unknown = evaluateCompatibility({ images: [{ reference: 'mcr.microsoft.com/windows/servercore:ltsc2019' }], isolations: ['Process'] }, hostFromArgs({ build: 17763 }));
    expect([server[0]!.allowed, client[0]!.allowed, unknown[0]!.allowed]).toEqual([true, false, null]);
  });

  it('Should refuse a host with neither build nor edition', () => {
    expect(() => hostFromArgs({ class: 'Server' })).toThrow(/without a build or an edition/);
  });
});
