import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DockerClient, compareApiVersions, mapDockerStatus } from '../../../../ts-core/src/backends/docker/client.js';

/**
 * The client against an in-process fake daemon on a unix socket, which
 * answers each request with whatever raw bytes a test scripts, including
 * broken HTTP, half answers and silence.
 */

type Script = (request: { method: string; path: string; body: string }, socket: net.Socket) => void;

let dir: string;
let socketPath: string;
let server: net.Server;
let script: Script;
const seen: string[] = [];

const versionBody = JSON.stringify({ Version: '20.10.24', ApiVersion: '1.41', MinAPIVersion: '1.12', Os: 'linux' });

function httpResponse(status: number, body: string, extraHeaders = ''): string {
  return `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}Connection: close\r\n\r\n${body}`;
}

/** Answers /version like a 20.10 daemon and hands every other request to the test's script. */
function respond(handler: Script): void {
  script = (request, socket) => {
    if (request.path === '/version') {
      socket.end(httpResponse(200, versionBody));
      return;
    }
    handler(request, socket);
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wc-dockerfake-'));
  socketPath = path.join(dir, 'docker.sock');
  server = net.createServer((socket) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const headerEnd = buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const [requestLine = ''] = buffer.slice(0, headerEnd).split('\r\n');
      const length = Number(/content-length:\s*(\d+)/i.exec(buffer)?.[1] ?? 0);
      if (buffer.length < headerEnd + 4 + length) return;
      const [method = '', target = ''] = requestLine.split(' ');
      seen.push(`${method} ${target}`);
      script({ method, path: target, body: buffer.slice(headerEnd + 4) }, socket);
      buffer = '';
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterEach(() => {
  seen.length = 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function client(timeoutMs = 2_000): DockerClient {
  return new DockerClient({ endpoint: { kind: 'unix', socketPath, display: `unix://${socketPath}` }, connectTimeoutMs: 1_000, timeoutMs });
}

const anything = z.object({ ok: z.boolean() });

describe('DockerClient', () => {
  it('negotiates the lower API version and uses it in the path', async () => {
    respond((_request, socket) => socket.end(httpResponse(200, '{"ok":true}')));
    const docker = client();
    await expect(docker.request('GET', '/info', { schema: anything })).resolves.toEqual({ ok: true });
    expect(seen).toEqual(['GET /version', 'GET /v1.41/info']);
    expect((await docker.negotiate()).apiVersion).toBe('1.41');
  });

  it('caps the version at its own when the daemon is newer', async () => {
    script = (request, socket) => socket.end(request.path === '/version'
      ? httpResponse(200, JSON.stringify({ Version: '27.0', ApiVersion: '1.46', Os: 'windows' }))
      : httpResponse(200, '{"ok":true}'));
    await client().request('GET', '/info', { schema: anything });
    expect(seen[1]).toBe('GET /v1.43/info');
  });

  it('refuses a daemon older than API 1.25', async () => {
    script = (_request, socket) => socket.end(httpResponse(200, JSON.stringify({ Version: '1.12', ApiVersion: '1.24', Os: 'linux' })));
    await expect(client().request('GET', '/info', { schema: anything })).rejects.toMatchObject({ code: 'DockerUnavailable', message: expect.stringContaining('1.25') });
  });

  it('maps a 500 with a message to DockerError carrying the daemon\'s words', async () => {
    respond((_request, socket) => socket.end(httpResponse(500, '{"message":"something broke in the daemon"}')));
    await expect(client().request('GET', '/info', { schema: anything })).rejects.toMatchObject({
      code: 'DockerError',
      message: 'Docker: something broke in the daemon',
      details: { status: 500, dockerMessage: 'something broke in the daemon', request: 'GET /v1.41/info' },
    });
  });

  it('maps Linux dockerd\'s answer to hyperv isolation to IsolationNotSupported', async () => {
    respond((_request, socket) => socket.end(httpResponse(500, JSON.stringify({ message: 'Invalid isolation: "hyperv" - linux only supports \'default\'' }))));
    await expect(client().request('POST', '/containers/create', { body: { Image: 'x' }, schema: anything })).rejects.toMatchObject({
      code: 'IsolationNotSupported',
      message: expect.stringContaining('Invalid isolation: "hyperv"'),
    });
  });

  it('maps 404 by Docker\'s message, then by what the call looks for', async () => {
    respond((request, socket) => socket.end(request.path.includes('image')
      ? httpResponse(404, '{"message":"No such image: nope:latest"}')
      : httpResponse(404, '{"message":"page not found"}')));
    await expect(client().request('POST', '/image', { schema: anything, notFound: 'container' })).rejects.toMatchObject({ code: 'ImageNotFound' });
    await expect(client().request('GET', '/containers/x/json', { schema: anything, notFound: 'container' })).rejects.toMatchObject({ code: 'ContainerNotFound' });
    await expect(client().request('GET', '/other', { schema: anything })).rejects.toMatchObject({ code: 'DockerError' });
  });

  it('reports garbage instead of HTTP as DockerResponseInvalid', async () => {
    respond((_request, socket) => socket.end('this is not http at all\r\n\r\n'));
    await expect(client().request('GET', '/info', { schema: anything })).rejects.toMatchObject({ code: 'DockerResponseInvalid', message: expect.stringContaining('not valid HTTP') });
  });

  it('reports a body that is not JSON as DockerResponseInvalid with a snippet', async () => {
    respond((_request, socket) => socket.end(httpResponse(200, '<html>proxy error</html>')));
    await expect(client().request('GET', '/info', { schema: anything })).rejects.toMatchObject({
      code: 'DockerResponseInvalid',
      message: expect.stringContaining('<html>proxy error</html>'),
    });
  });

  it('reports JSON of the wrong shape with the field that is wrong', async () => {
    respond((_request, socket) => socket.end(httpResponse(200, '{"ok":"yes"}')));
    await expect(client().request('GET', '/info', { schema: anything })).rejects.toMatchObject({ code: 'DockerResponseInvalid', message: expect.stringContaining('ok') });
  });

  it('reports a connection closed halfway through the body, without waiting for the timeout', async () => {
    respond((_request, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"ok":tr');
      setTimeout(() => socket.destroy(), 50);
    });
    // DockerResponseInvalid, not the OperationTimeout the 10 s timeout would give: it did not wait.
    await expect(client(10_000).request('GET', '/info', { schema: anything })).rejects.toMatchObject({
      code: 'DockerResponseInvalid',
      message: expect.stringMatching(/closed the connection|broke/),
    });
  });

  it('reports a connection closed before any answer', async () => {
    respond((_request, socket) => socket.destroy());
    await expect(client().request('GET', '/info', { schema: anything })).rejects.toMatchObject({ code: 'DockerResponseInvalid' });
  });

  it('times out a daemon that never answers', async () => {
    respond(() => undefined);
    const started = Date.now();
    await expect(client(600).request('GET', '/info', { schema: anything })).rejects.toMatchObject({
      code: 'OperationTimeout',
      message: expect.stringContaining('did not answer GET /v1.41/info within 600 ms'),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it('times out a daemon that sends headers and then stalls', async () => {
    respond((_request, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{'));
    await expect(client(600).request('GET', '/info', { schema: anything })).rejects.toMatchObject({ code: 'OperationTimeout', message: expect.stringContaining('stalled') });
  });

  it('refuses an answer larger than its cap instead of buffering it', async () => {
    respond((_request, socket) => socket.end(httpResponse(200, JSON.stringify({ ok: true, pad: 'x'.repeat(4096) }))));
    const docker = new DockerClient({ endpoint: { kind: 'unix', socketPath, display: `unix://${socketPath}` }, timeoutMs: 2_000, maxBodyBytes: 1024 });
    await expect(docker.request('GET', '/info', { schema: anything })).rejects.toMatchObject({ code: 'DockerResponseInvalid', message: expect.stringContaining('larger than 1024 bytes') });
  });

  it('negotiates again after a failed negotiation: the daemon may have come up since', async () => {
    let versionCalls = 0;
    script = (request, socket) => {
      if (request.path === '/version' && ++versionCalls === 1) {
        socket.end(httpResponse(500, '{"message":"starting up"}'));
        return;
      }
      socket.end(request.path === '/version' ? httpResponse(200, versionBody) : httpResponse(200, '{"ok":true}'));
    };
    const docker = client();
    await expect(docker.request('GET', '/info', { schema: anything })).rejects.toMatchObject({ message: 'Docker: starting up' });
    await expect(docker.request('GET', '/info', { schema: anything })).resolves.toEqual({ ok: true });
    expect(versionCalls).toBe(2);
  });

  it('names the endpoint when nothing listens there', async () => {
    const missing = path.join(dir, 'missing.sock');
    const docker = new DockerClient({ endpoint: { kind: 'unix', socketPath: missing, display: `unix://${missing}` } });
    const failing = docker.request('GET', '/info', { schema: anything });
    await expect(failing).rejects.toMatchObject({ code: 'DockerUnavailable', message: expect.stringContaining(`unix://${missing}`) });
    await expect(failing).rejects.toThrow('does not exist');
  });

  it('reports ECONNREFUSED from a socket file nobody listens on', async () => {
    const stale = path.join(dir, 'stale.sock');
    // A listener killed with SIGKILL leaves its socket file behind: connecting then gives ECONNREFUSED.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}); setInterval(() => {}, 1000)`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(stale); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(stale)).toBe(true);
    const docker = new DockerClient({ endpoint: { kind: 'unix', socketPath: stale, display: `unix://${stale}` } });
    const failing = docker.request('GET', '/info', { schema: anything });
    await expect(failing).rejects.toMatchObject({ code: 'DockerUnavailable', message: expect.stringContaining(`unix://${stale}`) });
    await expect(failing).rejects.toThrow('nothing accepts connections');
  });
});

describe('mapDockerStatus', () => {
  it.each([
    [409, 'Conflict. The container name "/web" is already in use by container "abc".', 'ContainerAlreadyExists'],
    [409, 'You cannot remove a running container abc. Stop the container before attempting removal or force remove', 'ContainerRunning'],
    [404, 'No such container: web', 'ContainerNotFound'],
    [404, 'No such image: busybox:latest', 'ImageNotFound'],
    [500, 'Invalid isolation: "hyperv" - linux only supports \'default\'', 'IsolationNotSupported'],
    [400, 'invalid isolation: "bogus" - windows daemon supports \'default\', \'process\', or \'hyperv\'', 'IsolationNotSupported'],
    [403, 'authorization denied by plugin', 'PermissionDenied'],
    [400, 'Unknown runtime specified nope', 'DockerError'],
  ] as const)('maps %i %s', (status, message, code) => {
    expect(mapDockerStatus(status, message)).toBe(code);
  });

  it('compares API versions numerically', () => {
    expect(compareApiVersions('1.9', '1.41')).toBeLessThan(0);
    expect(compareApiVersions('1.43', '1.41')).toBeGreaterThan(0);
    expect(compareApiVersions('2.0', '1.99')).toBeGreaterThan(0);
  });
});
