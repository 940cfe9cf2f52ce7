/**
 * What one Test-ContainerIsolation of a docker container costs the daemon:
 * the isolation.test command (what the cmdlet sends) through the dispatcher
 * and the registry's docker backend, against the real private dockerd, with
 * every HTTP request counted by a proxy on the way. The request's scope
 * reads /info and the container's inspect once, however many steps
 * (locate, inspect, processes, worker) need them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../ts-core/src/protocol/dispatcher.js';
import { allCommands } from '../../../ts-core/src/commands/index.js';
import { dockerCli, startPrivateDockerd, stopPrivateDockerd, type PrivateDockerd } from '../backends/docker/privateDockerd.js';

let daemon: PrivateDockerd;
let proxy: net.Server;
const dir = mkdtempSync(path.join(os.tmpdir(), 'wc-docker-calls-'));
const proxySocket = path.join(dir, 'docker.sock');
const requests: string[] = [];
const saved = { DOCKER_HOST: process.env.DOCKER_HOST, WINDOWSCONTAINERS_STATE_DIR: process.env.WINDOWSCONTAINERS_STATE_DIR };

/** A unix-socket proxy to the daemon that records each HTTP request line it forwards. */
function countingProxy(upstream: string): net.Server {
  return net.createServer((client) => {
    const server = net.connect(upstream);
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(/(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r\n/g)) requests.push(`${m[1]} ${m[2]}`);
    });
    client.pipe(server).pipe(client);
    const close = () => { client.destroy(); server.destroy(); };
    client.on('error', close);
    server.on('error', close);
    client.on('close', close);
    server.on('close', close);
  });
}

beforeAll(async () => {
  daemon = await startPrivateDockerd();
  proxy = countingProxy(daemon.dockerHost.replace(/^unix:\/\//, ''));
  await new Promise<void>((resolve) => proxy.listen(proxySocket, resolve));
  process.env.DOCKER_HOST = `unix://${proxySocket}`;
  // No linux-backend container of that name: a private, empty state directory.
  process.env.WINDOWSCONTAINERS_STATE_DIR = path.join(dir, 'state');
  await dockerCli(daemon, ['run', '-d', '--name', 'wc-calls', daemon.image, '/bin/sleep', '3141']);
}, 240_000);

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  if (daemon) {
    await dockerCli(daemon, ['rm', '-f', 'wc-calls']).catch(() => undefined);
    expect((await stopPrivateDockerd(daemon)).clean).toBe(true);
  }
  rmSync(dir, { recursive: true, force: true });
}, 240_000);

describe('Docker API calls of one Test-ContainerIsolation', () => {
  const dispatcher = new Dispatcher(allCommands);
  const check = () => dispatcher.execute(1, 'isolation.test', { names: ['wc-calls'] }, () => undefined);

  it('judges the container Process with at most four calls, /info once', async () => {
    requests.length = 0;
    const response = await check();
    expect(response).toMatchObject({ success: true, body: { results: [{ name: 'wc-calls', backend: 'docker', observedIsolation: 'Process', passed: true }] } });
    expect(requests.length, requests.join("\n")).toBeLessThanOrEqual(4);
    expect(requests.filter((r) => / \/v[\d.]+\/info$/.test(r))).toHaveLength(1);
    expect(requests.filter((r) => /\/containers\/wc-calls\/json$/.test(r))).toHaveLength(1);
  }, 120_000);

  it('asks again in the next request: nothing is kept from one request to the next but the negotiated version', async () => {
    requests.length = 0;
    await check();
    expect(requests.some((r) => r.endsWith('/version'))).toBe(false);
    expect(requests.filter((r) => / \/v[\d.]+\/info$/.test(r))).toHaveLength(1);
    expect(requests.length, requests.join('\n')).toBeLessThanOrEqual(3);
  }, 120_000);
});
