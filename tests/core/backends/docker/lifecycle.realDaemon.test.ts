import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../../../ts-core/src/backends/docker/index.js';
import type { Backend, ContainerSpec, ExecRequest } from '../../../../ts-core/src/backends/types.js';
import type { CommandContext } from '../../../../ts-core/src/protocol/dispatcher.js';
import { newRequestScope } from '../../../../ts-core/src/protocol/scope.js';
import { dockerCli, startPrivateDockerd, stopPrivateDockerd, type PrivateDockerd } from './privateDockerd.js';

/**
 * Start, logs and exec of the docker backend against a private dockerd
 * (started here, stopped at the end): a runc container and a runsc
 * (HyperV-class) one.
 */

let daemon: PrivateDockerd;
let backend: Backend;
const warnings: string[] = [];
const context: CommandContext = {
  ...newRequestScope(),
  requestId: 1,
  progress: () => undefined,
  verbose: () => undefined,
  warning: (message) => warnings.push(message),
};

function spec(name: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name, image: daemon.image, isolation: 'Process', command: ['/bin/sh', '-c', 'echo started; echo oops >&2; exec sleep 3600'], env: {}, workingDir: '', hostname: '',
    memoryMB: undefined, cpuCount: undefined, ...overrides,
  };
}

const exec = (command: string[], extra: Partial<ExecRequest> = {}): ExecRequest => ({
  command, env: {}, workingDir: null, user: null, timeoutSeconds: 30, maxOutputBytes: 1024 * 1024, ...extra,
});

const logs = (name: string, request: { tail?: number; since?: string; cursor?: string } = {}) =>
  backend.logs!(name, { tail: request.tail ?? null, since: request.since ?? null, cursor: request.cursor ?? null, maxBytes: 1024 * 1024 }, context);

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  daemon = await startPrivateDockerd();
  backend = createDockerBackend({ host: daemon.dockerHost, execRoots: [daemon.execRoot] });
}, 240_000);

afterAll(async () => {
  if (daemon) await stopPrivateDockerd(daemon);
}, 240_000);

describe.each([
  { isolation: 'Process' as const, name: 'wc-life-proc' },
  { isolation: 'HyperV' as const, name: 'wc-life-hv' },
])('docker lifecycle of a $isolation container', ({ isolation, name }) => {
  it('runs a command as an argument array and returns its output and exit code, nothing interpreted by a shell', async () => {
    await backend.create(spec(name, { isolation }), context);
    const result = await backend.exec!(name, exec(['/bin/sh', '-c', 'echo "$1"; echo err >&2; exit 5', '--', 'a b; $(reboot)']), context);
    expect(result).toEqual({ exitCode: 5, stdout: 'a b; $(reboot)\n', stderr: 'err\n', truncated: false });
  }, 120_000);

  it('bounds the output and says it was cut', async () => {
    const result = await backend.exec!(name, exec(['/bin/sh', '-c', 'i=0; while [ $i -lt 400 ]; do echo 0123456789; i=$((i+1)); done'], { maxOutputBytes: 1024 }), context);
    expect(result.stdout.length).toBe(1024);
    expect(result.truncated).toBe(true);
    // Docker has no way to stop an exec: once its output is cut, the command writes into a closed
    // stream, and its exit status is what it makes of that (0, 1 or, under runsc, 126 were seen).
    expect(result.exitCode === null || Number.isInteger(result.exitCode)).toBe(true);
  }, 60_000);

  it('reads the logs: stdout and stderr apart, each line with its time; -Tail; a cursor gives only newer lines', async () => {
    const all = await waitFor(() => logs(name), (c) => c.lines.length >= 2);
    expect(all.lines.map((l) => [l.stream, l.text]).sort()).toEqual([['stderr', 'oops'], ['stdout', 'started']]);
    expect(all.lines.every((l) => l.timestamp !== null)).toBe(true);
    expect(all.running).toBe(true);
    expect((await logs(name, { tail: 1 })).lines).toHaveLength(1);
    const after = await logs(name, { cursor: all.cursor });
    expect(after.lines).toEqual([]);
    expect((await logs(name, { since: new Date(Date.now() + 60_000).toISOString() })).lines).toEqual([]);
  }, 60_000);

  it('refuses exec on a stopped container with ContainerNotRunning, then starts it again with the same isolation and command', async () => {
    await backend.stop(name, 1, context);
    await expect(backend.exec!(name, exec(['true']), context)).rejects.toMatchObject({ code: 'ContainerNotRunning' });
    const before = JSON.parse(await dockerCli(daemon, ['inspect', '-f', '{{json .HostConfig.Runtime}}', name])) as string;
    const info = await backend.start!(name, context);
    expect(info).toMatchObject({ name, state: 'running', isolation });
    expect(JSON.parse(await dockerCli(daemon, ['inspect', '-f', '{{json .HostConfig.Runtime}}', name]))).toBe(before);
    const lines = await waitFor(() => logs(name), (c) => c.lines.filter((l) => l.text === 'started').length >= 2);
    expect(lines.lines.filter((l) => l.text === 'started')).toHaveLength(2);
    // Starting a running one changes nothing.
    expect((await backend.start!(name, context)).state).toBe('running');
    await backend.remove(name, true, context);
  }, 120_000);
});

describe('docker lifecycle, bad input', () => {
  it('says ContainerNotFound for start, logs and exec of a container that does not exist', async () => {
    await expect(backend.start!('wc-no-such', context)).rejects.toMatchObject({ code: 'ContainerNotFound' });
    await expect(logs('wc-no-such')).rejects.toMatchObject({ code: 'ContainerNotFound' });
    await expect(backend.exec!('wc-no-such', exec(['true']), context)).rejects.toMatchObject({ code: 'ContainerNotFound' });
  });
});
