import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../../../ts-core/src/backends/docker/index.js';
import type { ContainerSpec } from '../../../../ts-core/src/backends/types.js';
import type { CommandContext } from '../../../../ts-core/src/protocol/dispatcher.js';
import { newRequestScope } from '../../../../ts-core/src/protocol/scope.js';
import type { CoreError } from '../../../../ts-core/src/protocol/errors.js';
import { fixture, hostProcesses } from './fixtures.js';
import { Dispatcher } from '../../../../ts-core/src/protocol/dispatcher.js';
import { allCommands } from '../../../../ts-core/src/commands/index.js';

/**
 * The backend against a fake Windows daemon (on a unix socket; the named-pipe
 * transport is the same http code with another socketPath). It answers with
 * the Windows fixtures and enforces what the Windows daemon enforces: no
 * ps_args for top, and only default/process/hyperv isolation.
 */

const hvId = '5d3b4bd1c3a67a34f0ad0a9e2f7a0d5d7e0d4a6ec8c9f3e1a2b4c6d8e0f1a2b3';
const procId = 'a'.repeat(64);
const vmId = '7F0D5C8A-3B1E-4E6A-9C2D-1A2B3C4D5E6F';

let dir: string;
let socketPath: string;
let server: http.Server;
const creates: Array<{ name: string | null; body: Record<string, unknown> }> = [];
const requests: string[] = [];
/** What this fake dockerd's setDefaultIsolation chose (exec-opts isolation=…, else the edition's default). */
let daemonDefault: 'process' | 'hyperv' = 'process';

const hvInspect = fixture('windows-inspect-hyperv.json') as Record<string, unknown>;
const procInspect = {
  ...hvInspect, Id: procId, Name: '/proc-ping',
  HostConfig: { Isolation: 'process' },
  Config: { ...(hvInspect.Config as object), Labels: { 'io.windowscontainers.managed': 'true', 'io.windowscontainers.name': 'proc-ping' } },
};

function send(res: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wc-fakewin-'));
  socketPath = path.join(dir, 'engine.sock');
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://docker');
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const route = url.pathname.replace(/^\/v1\.\d+/, '');
      const byId = (id: string): unknown => (id === hvId || id === 'hv-ping' ? hvInspect : id === procId || id === 'proc-ping' ? procInspect : null);
      if (route === '/version') return send(res, 200, fixture('windows-version.json'));
      if (route === '/info') return send(res, 200, { ...(fixture('windows-info.json') as object), Isolation: daemonDefault });
      if (req.method === 'POST' && route === '/containers/create') {
        const body = JSON.parse(raw) as Record<string, unknown>;
        const isolation = (body.HostConfig as { Isolation?: string }).Isolation ?? '';
        if (!['', 'default', 'process', 'hyperv'].includes(isolation)) {
          return send(res, 400, { message: `invalid isolation: "${isolation}" - windows daemon supports 'default', 'process', or 'hyperv'` });
        }
        creates.push({ name: url.searchParams.get('name'), body });
        // Like daemon/create_windows.go: an empty or 'default' isolation becomes the daemon's default.
        const chosen = isolation === '' || isolation === 'default' ? daemonDefault : isolation;
        return send(res, 201, { Id: chosen === 'hyperv' ? hvId : procId, Warnings: [] });
      }
      if (route === '/containers/json') {
        return send(res, 200, [hvInspect, procInspect].map((c) => ({ Id: c.Id, Names: [c.Name], Image: 'nanoserver', State: 'running', Labels: null })));
      }
      const match = /^\/containers\/([^/]+)(\/[a-z]+)?$/.exec(route);
      const container = match ? byId(decodeURIComponent(match[1]!)) : null;
      if (!match || !container) return send(res, 404, { message: `No such container: ${match?.[1] ?? ''}` });
      const action = match[2] ?? '';
      if (action === '/json') return send(res, 200, container);
      if (action === '/start') return send(res, 204);
      if (action === '/top') {
        if (url.searchParams.has('ps_args')) return send(res, 500, { message: 'Windows does not support arguments to top' });
        return send(res, 200, fixture(container === hvInspect ? 'windows-top-hyperv.json' : 'windows-top-process.json'));
      }
      return send(res, 404, { message: 'page not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

beforeEach(() => {
  creates.length = 0;
  requests.length = 0;
  daemonDefault = 'process';
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const context: CommandContext = { ...newRequestScope(), requestId: 1, progress: () => undefined, verbose: () => undefined, warning: () => undefined };

function spec(name: string, isolation: 'Process' | 'HyperV'): ContainerSpec {
  return {
    name, image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022', isolation, command: ['cmd.exe', '/c', 'ping -t localhost'],
    env: { A: '1' }, workingDir: 'C:\\', hostname: '', memoryMB: 512, cpuCount: 2,
  };
}

const backend = () => createDockerBackend({
  host: `unix://${socketPath}`, hostPlatform: 'win32', resolveUtilityVmId: async (id) => (id === hvId ? vmId : null),
});

describe('docker backend against a Windows daemon', () => {
  it('probes: Windows, its default isolation from /info, both isolations, API capped at 1.43', async () => {
    const status = await backend().probe();
    expect(status).toMatchObject({ usable: true, isolations: ['Process', 'HyperV'] });
    expect(status.details).toMatchObject({ osType: 'windows', defaultIsolation: 'Process', apiVersion: '1.43', daemonVersion: '24.0.7', runtimes: [] });
    expect(status.reason).toContain('Hyper-V isolation through HostConfig.Isolation');
  });

  it('creates a Hyper-V container with HostConfig.Isolation hyperv and the module\'s labels', async () => {
    const info = await backend().create(spec('hv-ping', 'HyperV'), context);
    expect(creates).toHaveLength(1);
    expect(creates[0]).toEqual({
      name: 'hv-ping',
      body: {
        Image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022',
        Cmd: ['cmd.exe', '/c', 'ping -t localhost'],
        Env: ['A=1'],
        WorkingDir: 'C:\\',
        Labels: { 'io.windowscontainers.managed': 'true', 'io.windowscontainers.name': 'hv-ping' },
        HostConfig: { Isolation: 'hyperv', Memory: 512 * 1024 * 1024, NanoCpus: 2e9 },
      },
    });
    expect(info).toMatchObject({ name: 'hv-ping', isolation: 'HyperV', hostPid: null, state: 'running', managed: true });
    expect(requests).toContain(`POST /v1.43/containers/${hvId}/start`);
  });

  describe('-Isolation Default: dockerd decides (daemon_windows.go setDefaultIsolation: exec-opts isolation=… before the edition)', () => {
    const verbose: string[] = [];
    const listening: CommandContext = { ...context, verbose: (m) => verbose.push(m) };

    it('sends no isolation and reads back process from a client host whose dockerd is configured for process isolation', async () => {
      verbose.length = 0;
      const info = await backend().create({ ...spec('proc-ping', 'Process'), isolation: 'Default' }, listening);
      expect(creates).toHaveLength(1);
      expect(creates[0]!.body.HostConfig).not.toHaveProperty('Isolation');
      expect(info).toMatchObject({ isolation: 'Process', hostPid: 4824 });
      expect(verbose).toEqual([expect.stringContaining('left to dockerd'), "dockerd gave 'proc-ping' Process isolation."]);
    });

    it('reads back Hyper-V when that is what dockerd chose', async () => {
      daemonDefault = 'hyperv';
      const info = await backend().create({ ...spec('hv-ping', 'HyperV'), isolation: 'Default' }, context);
      expect(creates[0]!.body.HostConfig).not.toHaveProperty('Isolation');
      expect(info.isolation).toBe('HyperV');
    });

    it('container.create (New-IsolatedContainer -Isolation Default -Backend docker) leaves Default to dockerd instead of resolving it in the core', async () => {
      daemonDefault = 'hyperv';
      const saved = process.env.DOCKER_HOST;
      process.env.DOCKER_HOST = `unix://${socketPath}`;
      try {
        const dispatcher = new Dispatcher(allCommands);
        const line = JSON.stringify({ id: 1, command: 'container.create', arguments: { name: 'hv-ping', image: 'busybox', isolation: 'Default', backend: 'docker' } });
        const response = await dispatcher.handleLine(line, () => {});
        expect(response).toMatchObject({ success: true, body: { isolation: 'HyperV', requestedIsolation: 'Default', isolationDefaulted: true } });
        expect(creates.at(-1)!.body.HostConfig).not.toHaveProperty('Isolation');
      } finally {
        if (saved === undefined) delete process.env.DOCKER_HOST;
        else process.env.DOCKER_HOST = saved;
      }
    });
  });

  it('creates a process-isolated container with HostConfig.Isolation process, its PID a host PID', async () => {
    const info = await backend().create(spec('proc-ping', 'Process'), context);
    expect((creates[0]?.body.HostConfig as { Isolation: string }).Isolation).toBe('process');
    expect(info).toMatchObject({ isolation: 'Process', hostPid: 4824 });
  });

  it('asks top without ps_args and reads the Windows titles', async () => {
    const hv = await backend().processes('hv-ping');
    expect(requests.filter((r) => r.includes('/top'))).toEqual([`GET /v1.43/containers/${hvId}/top`]);
    expect(hv.map((p) => [p.name, p.containerPid, p.claimedHostPid])).toContainEqual(['PING', 3964, null]);
    const proc = await backend().processes('proc-ping');
    expect(proc.find((p) => p.name === 'PING')).toMatchObject({ containerPid: 3964, claimedHostPid: 3964, cpuSeconds: 1.25 });
  });

  it("names the vmmem running as the account of the utility VM HCS reports as the worker of a Hyper-V container", async () => {
    const claim = await backend().worker('hv-ping', hostProcesses('windows-host-processes.json'));
    expect(claim).toMatchObject({ pid: 6188, name: 'vmmem', tieToken: `NT VIRTUAL MACHINE\\${vmId}`, tieField: 'user' });
    expect(await backend().worker('proc-ping', hostProcesses('windows-host-processes.json'))).toBeNull();
  });

  it('claims no worker when the utility VM id cannot be learnt (HCS not reachable)', async () => {
    const blind = createDockerBackend({ host: `unix://${socketPath}`, hostPlatform: 'win32', resolveUtilityVmId: async () => null });
    expect(await blind.worker('hv-ping', hostProcesses('windows-host-processes.json'))).toBeNull();
  });

  it('claims no host PIDs when the Windows daemon is not on this host\'s kernel (a forwarded socket)', async () => {
    const remote = createDockerBackend({ host: `unix://${socketPath}`, hostPlatform: 'linux' });
    expect((await remote.inspect('proc-ping')).hostPid).toBeNull();
    expect((await remote.processes('proc-ping')).every((p) => p.claimedHostPid === null)).toBe(true);
  });

  it('lists every container with its isolation from inspect', async () => {
    const all = (await backend().list({ all: true })).containers;
    expect(all.map((c) => [c.name, c.isolation])).toEqual([['hv-ping', 'HyperV'], ['proc-ping', 'Process']]);
  });

  it('passes the daemon\'s refusal of an unknown container through as ContainerNotFound', async () => {
    let error: CoreError | undefined;
    try {
      await backend().inspect('ghost');
    } catch (caught) {
      error = caught as CoreError;
    }
    expect(error?.code).toBe('ContainerNotFound');
    expect(error?.message).toBe('Docker: No such container: ghost');
  });
});
