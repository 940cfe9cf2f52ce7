import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A socket this user may not open must give PermissionDenied naming the
 * endpoint. Root may open anything, so the client runs in a child process
 * as `nobody` against a root-owned 0600 socket.
 */

const isRoot = process.getuid?.() === 0;
let dir: string;
let server: net.Server;
let script: string;
let socketPath: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wc-dockerperm-'));
  chmodSync(dir, 0o755);
  socketPath = path.join(dir, 'docker.sock');
  server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  chmodSync(socketPath, 0o600);
  const source = path.join(dir, 'probe.ts');
  writeFileSync(source, `
    import { DockerClient } from ${JSON.stringify(path.resolve('ts-core/src/backends/docker/client.ts'))};
    import { parseDockerHost } from ${JSON.stringify(path.resolve('ts-core/src/backends/docker/endpoint.ts'))};
    const client = new DockerClient({ endpoint: parseDockerHost(process.argv[2]) });
    client.negotiate().then(() => console.log(JSON.stringify({ ok: true })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));
  `);
  script = path.join(dir, 'probe.cjs');
  await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'cjs', outfile: script, logLevel: 'silent' });
  chmodSync(script, 0o644);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(isRoot)('a socket this user may not open', () => {
  it('gives PermissionDenied naming the endpoint and what to do', () => {
    const out = execFileSync(process.execPath, [script, `unix://${socketPath}`], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 30_000 });
    const result = JSON.parse(out) as { code: string; message: string };
    expect(result.code).toBe('PermissionDenied');
    expect(result.message).toContain(`unix://${socketPath}`);
    expect(result.message).toContain('EACCES');
    expect(result.message).toMatch(/docker group/);
  });
});
