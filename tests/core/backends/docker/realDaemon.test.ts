import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../../../ts-core/src/backends/docker/index.js';
import { DockerClient } from '../../../../ts-core/src/backends/docker/client.js';
import { parseDockerHost } from '../../../../ts-core/src/backends/docker/endpoint.js';
import type { Backend, ContainerSpec } from '../../../../ts-core/src/backends/types.js';
import type { CommandContext } from '../../../../ts-core/src/protocol/dispatcher.js';
import { newRequestScope } from '../../../../ts-core/src/protocol/scope.js';
import type { CoreError } from '../../../../ts-core/src/protocol/errors.js';
import { takeLinuxSnapshot } from '../../../../ts-core/src/processes/linuxSnapshot.js';
import { judge } from '../../../../ts-core/src/isolation/verdict.js';
import {
  daemonLeftovers,
  dockerCli,
  startPrivateDockerd,
  stopPrivateDockerd,
  type PrivateDockerd,
} from './privateDockerd.js';

/**
 * The docker backend against Debian's real dockerd, started by this file on
 * a private socket (with runsc registered) and stopped at the end, proving
 * nothing is left. Runs as root on Linux, as the project's CI does.
 */

let daemon: PrivateDockerd;
let backend: Backend;
let stopped = false;
const events: string[] = [];
const context: CommandContext = {
  ...newRequestScope(),
  requestId: 1,
  progress: (activity, status) => events.push(`progress ${activity}: ${status}`),
  verbose: (message) => events.push(`verbose ${message}`),
  warning: (message) => events.push(`warning ${message}`),
};

function spec(name: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name, image: daemon.image, isolation: 'Process', command: ['/bin/sleep', '3141'], env: {}, workingDir: '', hostname: '',
    memoryMB: undefined, cpuCount: undefined, ...overrides,
  };
}

async function allContainerNames(): Promise<string[]> {
  const out = await dockerCli(daemon, ['ps', '-a', '--format', '{{.Names}}']);
  return out.split('\n').filter(Boolean).sort();
}

const linuxHostSnapshot = () => takeLinuxSnapshot().processes;

/** The verdict engine on live evidence from the backend, as Test-ContainerIsolation gathers it. */
async function verdictFor(name: string, expected: 'Process' | 'HyperV') {
  const info = await backend.inspect(name);
  const { processes: containerProcesses, view, gaps } = await backend.processView!(name);
  const snapshot = takeLinuxSnapshot();
  const worker = await backend.worker(name, snapshot.processes);
  return judge({
    container: { name, id: info.id, backend: 'docker', configuredIsolation: info.isolation },
    containerProcesses,
    snapshot,
    worker,
    gaps,
    containerView: view,
  }, expected);
}

beforeAll(async () => {
  daemon = await startPrivateDockerd();
  backend = createDockerBackend({ host: daemon.dockerHost, execRoots: [daemon.execRoot] });
}, 240_000);

afterAll(async () => {
  if (daemon && !stopped) await stopPrivateDockerd(daemon);
}, 240_000);

describe('docker backend against a private dockerd', () => {
  it('probes the daemon: version, OS type, runtimes, runsc as the VM-class runtime', async () => {
    const status = await backend.probe();
    expect(status).toMatchObject({ name: 'docker', usable: true, isolations: ['Process', 'HyperV'] });
    expect(status.details).toMatchObject({
      endpoint: daemon.dockerHost, reachable: true, osType: 'linux', apiVersion: '1.41', defaultIsolation: 'Process', vmClassRuntimes: ['runsc'],
    });
    expect(status.details.runtimes).toContain('runc');
    expect(String(status.details.daemonVersion)).toMatch(/^20\.10\./);
    expect(status.reason).toContain('HyperV-class isolation through runtime runsc');
  });

  it('reads DOCKER_HOST when no host is given', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = daemon.dockerHost;
    try {
      expect((await createDockerBackend().probe()).usable).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  describe('a process-isolated container', () => {
    it('is created, labelled, started, and its main process is a host process', async () => {
      const info = await backend.create(spec('wc-proc'), context);
      expect(info).toMatchObject({ name: 'wc-proc', backend: 'docker', isolation: 'Process', state: 'running', managed: true, utilityVmId: null });
      expect(info.hostPid).toBeGreaterThan(0);
      expect(readFileSync(`/proc/${info.hostPid}/comm`, 'utf8').trim()).toBe('sleep');
      const labels = JSON.parse(await dockerCli(daemon, ['inspect', '-f', '{{json .Config.Labels}}', 'wc-proc'])) as Record<string, string>;
      expect(labels).toEqual({ 'io.windowscontainers.managed': 'true', 'io.windowscontainers.name': 'wc-proc' });
      expect(await dockerCli(daemon, ['inspect', '-f', '{{.HostConfig.Runtime}}', 'wc-proc'])).toBe('runc');
      expect(events.some((e) => e.startsWith('progress Creating container'))).toBe(true);
    }, 120_000);

    it('lists its processes with host PIDs the host really has, PID 1 inside', async () => {
      const processes = await backend.processes('wc-proc');
      expect(processes).toHaveLength(1);
      const [sleep] = processes;
      expect(sleep).toMatchObject({ name: 'sleep', commandLine: '/bin/sleep 3141', containerPid: 1 });
      const host = linuxHostSnapshot().find((p) => p.pid === sleep?.claimedHostPid);
      expect(host).toMatchObject({ name: 'sleep', commandLine: '/bin/sleep 3141' });
      expect(host?.nsPids.at(-1)).toBe(1);
    });

    it('has no worker', async () => {
      expect(await backend.worker('wc-proc', linuxHostSnapshot())).toBeNull();
    });

    it('passes environment, working directory, hostname and limits to Docker', async () => {
      await backend.create(spec('wc-opts', {
        env: { GREETING: 'hello world', EMPTY: '' }, workingDir: '/tmp', hostname: 'wc-box', memoryMB: 64, cpuCount: 0.5,
      }), context);
      const config = JSON.parse(await dockerCli(daemon, ['inspect', '-f', '{{json .Config}}', 'wc-opts'])) as { Env: string[]; WorkingDir: string; Hostname: string };
      expect(config.Env).toEqual(expect.arrayContaining(['GREETING=hello world', 'EMPTY=']));
      expect(config).toMatchObject({ WorkingDir: '/tmp', Hostname: 'wc-box' });
      expect(await dockerCli(daemon, ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}', 'wc-opts'])).toBe(`${64 * 1024 * 1024} 500000000`);
      await backend.remove('wc-opts', true, context);
    }, 60_000);
  });

  describe('a HyperV-class container on runsc', () => {
    it('is created on the runsc runtime and claims no host PID', async () => {
      // Run as 'busybox sleep': no runc container's PID 1 (often 'sleep' or 'sh') then looks like it to the verdict.
      const info = await backend.create(spec('wc-hv', { isolation: 'HyperV', command: ['/bin/busybox', 'sleep', '3142'] }), context);
      expect(info).toMatchObject({ isolation: 'HyperV', state: 'running', hostPid: null, utilityVmId: info.id });
      expect(await dockerCli(daemon, ['inspect', '-f', '{{.HostConfig.Runtime}}', 'wc-hv'])).toBe('runsc');
    }, 120_000);

    it('lists its processes from runsc itself, where Docker\'s top is wrong', async () => {
      const dockerTop = await dockerCli(daemon, ['top', 'wc-hv']);
      expect(dockerTop).not.toContain('3142');
      const processes = await backend.processes('wc-hv');
      expect(processes).toEqual([expect.objectContaining({ containerPid: 1, name: 'busybox', claimedHostPid: null })]);
    }, 60_000);

    it('is invisible to the host, and its worker is the runsc sandbox tied by the container id', async () => {
      const info = await backend.inspect('wc-hv');
      const snapshot = linuxHostSnapshot();
      expect(snapshot.filter((p) => p.commandLine.includes('sleep 3142'))).toEqual([]);
      const claim = await backend.worker('wc-hv', snapshot);
      expect(claim).toMatchObject({ name: 'exe', tieToken: info.id, tieField: 'commandLine' });
      const sandbox = snapshot.find((p) => p.pid === claim?.pid);
      expect(sandbox?.user).toBe('nobody');
      expect(sandbox?.commandLine).toMatch(/^runsc-sandbox /);
      expect(sandbox?.commandLine).toContain(info.id);
    }, 60_000);
  });

  describe('the isolation verdict on live evidence', () => {
    it('observes Process for the runc container', async () => {
      const verdict = await verdictFor('wc-proc', 'Process');
      expect(verdict.reasons).toEqual(expect.any(Array));
      expect(verdict.observed).toBe('Process');
      expect(verdict.passed).toBe(true);
      expect(verdict.hostMatches.every((m) => m.outcome === 'SameProcess')).toBe(true);
      // The container's side came from its own procfs, not from Docker's top or the host's table.
      expect(verdict.decidedBy).toBe('host-match');
      expect(verdict.containerView).toEqual({ source: 'container-procfs', independent: true, note: null });
    }, 60_000);

    it('observes HyperV for the runsc container, with the sandbox as its worker', async () => {
      const verdict = await verdictFor('wc-hv', 'HyperV');
      expect(verdict.reasons[0]).toContain('none of its 1 processes is visible on the host');
      expect(verdict.observed).toBe('HyperV');
      expect(verdict.decidedBy).toBe('worker');
      expect(verdict.containerView).toMatchObject({ source: 'sandbox', independent: true });
      expect(verdict.worker).toMatchObject({ alive: true, tied: true, claim: { name: 'exe', tieField: 'commandLine' } });
      expect(verdict.worker?.hostProcess?.commandLine).toMatch(/^runsc-sandbox /);
    }, 60_000);

    it('does not call the runc container HyperV', async () => {
      const verdict = await verdictFor('wc-proc', 'HyperV');
      expect(verdict.passed).toBe(false);
      expect(verdict.observed).toBe('Process');
    }, 60_000);
  });

  describe('listing', () => {
    it('shows this module\'s live containers without all, every container with all', async () => {
      await dockerCli(daemon, ['run', '-d', '--name', 'not-ours', daemon.image, '/bin/sleep', '999']);
      const managed = (await backend.list({ all: false })).containers;
      expect(managed.map((c) => c.name)).toEqual(['wc-hv', 'wc-proc']);
      const all = (await backend.list({ all: true })).containers;
      expect(all.map((c) => [c.name, c.isolation, c.managed])).toEqual([
        ['not-ours', 'Process', false], ['wc-hv', 'HyperV', true], ['wc-proc', 'Process', true],
      ]);
      await dockerCli(daemon, ['rm', '-f', 'not-ours']);
    }, 60_000);
  });

  describe('bad input changes nothing', () => {
    it('reports a missing image with the daemon\'s message and pulls nothing', async () => {
      const before = await allContainerNames();
      await expect(backend.create(spec('wc-noimage', { image: 'does-not-exist:1.0' }), context)).rejects.toMatchObject({
        code: 'ImageNotFound',
        message: 'Docker: No such image: does-not-exist:1.0',
      });
      expect(await allContainerNames()).toEqual(before);
      expect(await dockerCli(daemon, ['images', '-q', 'does-not-exist'])).toBe('');
    });

    it('refuses a name in use and leaves the first container alone', async () => {
      await expect(backend.create(spec('wc-proc'), context)).rejects.toMatchObject({ code: 'ContainerAlreadyExists', message: expect.stringContaining('"/wc-proc" is already in use') });
      expect((await backend.inspect('wc-proc')).state).toBe('running');
    });

    it('removes a container whose start fails', async () => {
      const before = await allContainerNames();
      await expect(backend.create(spec('wc-badcmd', { command: ['/no/such/binary'] }), context)).rejects.toMatchObject({
        code: 'DockerError',
        message: expect.stringContaining('/no/such/binary'),
      });
      expect(await allContainerNames()).toEqual(before);
    }, 60_000);

    it('maps Linux dockerd\'s answer to Isolation hyperv (HTTP 500 "Invalid isolation")', async () => {
      const docker = new DockerClient({ endpoint: parseDockerHost(daemon.dockerHost) });
      const before = await allContainerNames();
      await expect(docker.request('POST', '/containers/create', {
        query: { name: 'wc-rawhyperv' },
        body: { Image: daemon.image, Cmd: ['/bin/true'], HostConfig: { Isolation: 'hyperv' } },
      })).rejects.toMatchObject({
        code: 'IsolationNotSupported',
        message: expect.stringMatching(/Invalid isolation: "hyperv"/),
        details: { status: 500 },
      });
      expect(await allContainerNames()).toEqual(before);
    });

    it('asks for -Command when the image has no default command, creating nothing', async () => {
      const before = await allContainerNames();
      const failing = backend.create(spec('wc-nocmd', { command: [] }), context);
      await expect(failing).rejects.toMatchObject({
        code: 'InvalidArgument',
        message: expect.stringContaining(`Image '${daemon.image}' has no default command`),
      });
      await expect(failing).rejects.toThrow('-Command');
      expect(await allContainerNames()).toEqual(before);
    });

    it('says ContainerNotFound for a name the daemon does not have', async () => {
      await expect(backend.inspect('wc-nobody-home')).rejects.toMatchObject({ code: 'ContainerNotFound', message: 'Docker: No such container: wc-nobody-home' });
      await expect(backend.processes('wc-nobody-home')).rejects.toMatchObject({ code: 'ContainerNotFound' });
    });
  });

  describe('stop and remove', () => {
    it('refuses to remove a running container without force', async () => {
      await expect(backend.remove('wc-proc', false, context)).rejects.toMatchObject({ code: 'ContainerRunning', message: expect.stringContaining('-Force') });
      expect((await backend.inspect('wc-proc')).state).toBe('running');
    });

    it('stops a container and reports its exit', async () => {
      const info = await backend.stop('wc-proc', 1, context);
      expect(info).toMatchObject({ state: 'exited', hostPid: null });
      expect(info.exitCode).not.toBeNull();
      await expect(backend.processes('wc-proc')).rejects.toThrow(/not running/);
      expect(((await backend.list({ all: false })).containers).map((c) => c.name)).toEqual(['wc-hv']);
      expect(((await backend.list({ all: true })).containers).find((c) => c.name === 'wc-proc')?.state).toBe('exited');
      // Stopping a stopped container is not an error (Docker answers 304).
      expect((await backend.stop('wc-proc', 1, context)).state).toBe('exited');
    }, 60_000);

    it('removes stopped and (forced) running containers', async () => {
      await backend.remove('wc-proc', false, context);
      await backend.remove('wc-hv', true, context);
      expect(await allContainerNames()).toEqual([]);
      await expect(backend.inspect('wc-hv')).rejects.toMatchObject({ code: 'ContainerNotFound' });
    }, 60_000);
  });

  describe('the daemon going away', () => {
    it('stops the daemon and leaves no containers, processes, mounts or cgroups', async () => {
      expect(await daemonLeftovers(daemon)).not.toEqual([]);
      const { clean, report } = await stopPrivateDockerd(daemon);
      stopped = true;
      expect(report).toContain('nothing left');
      expect(clean).toBe(true);
      expect(await daemonLeftovers(daemon)).toEqual([]);
    }, 240_000);

    it('reports the daemon unreachable, naming the endpoint', async () => {
      const status = await backend.probe();
      expect(status.usable).toBe(false);
      expect(status.reason).toContain(daemon.dockerHost);
      await expect(backend.list({ all: false })).rejects.toMatchObject({ code: 'DockerUnavailable', message: expect.stringContaining(daemon.dockerHost) });
    });
  });
});
