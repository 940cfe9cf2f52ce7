import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cgroupsPathFor, listContainerNames, metadataFile, readMetadata, removeContainerDir, reserveContainerDir, runcRoot, writeMetadata,
  type ContainerMetadata,
} from '../../../../ts-core/src/backends/linux/state.js';
import { runcErrorMessage, runcStateSchema } from '../../../../ts-core/src/backends/linux/runc.js';

let state: string;
const saved = process.env.WINDOWSCONTAINERS_STATE_DIR;
beforeEach(() => {
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-state-'));
  process.env.WINDOWSCONTAINERS_STATE_DIR = state;
});
afterEach(() => {
  fs.rmSync(state, { recursive: true, force: true });
  if (saved === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
  else process.env.WINDOWSCONTAINERS_STATE_DIR = saved;
});

function sample(name: string): ContainerMetadata {
  return {
    schemaVersion: 2, name, backend: 'linux', runtime: 'runc', isolation: 'Process', image: 'busybox', command: ['sh'], env: {},
    workingDir: '/', hostname: name, memoryMB: null, cpuCount: null, createdAt: new Date().toISOString(), startedAt: null,
    runtimeId: name, hostPid: null, hostPidStartTimeMs: null, workerPid: null, workerStartTimeMs: null, stoppedAt: null,
    exitCode: null, cgroupsPath: cgroupsPathFor(name), runtimeData: {}, user: null, userNamespace: null,
  };
}

describe('container state on disk', () => {
  it('reserves a name once, with private modes on the state directories', () => {
    reserveContainerDir('web');
    expect(() => reserveContainerDir('web')).toThrow(expect.objectContaining({ code: 'ContainerAlreadyExists' }));
    expect(fs.statSync(runcRoot()).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(state, 'containers', 'web')).mode & 0o777).toBe(0o700);
  });

  it('round-trips metadata and lists names', () => {
    reserveContainerDir('a');
    writeMetadata(sample('a'));
    expect(readMetadata('a')).toEqual(sample('a').name === 'a' ? { ...sample('a'), createdAt: readMetadata('a').createdAt } : null);
    expect(listContainerNames()).toEqual(['a']);
  });

  it('says ContainerNotFound for an unknown name and refuses bad names before touching the disk', () => {
    expect(() => readMetadata('nope')).toThrow(expect.objectContaining({ code: 'ContainerNotFound' }));
    expect(() => readMetadata('../../etc')).toThrow(expect.objectContaining({ code: 'InvalidContainerName' }));
  });

  it('reports truncated metadata as ContainerStateCorrupt with the path', () => {
    reserveContainerDir('broken');
    writeMetadata(sample('broken'));
    const file = metadataFile('broken');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 40));
    const failing = () => readMetadata('broken');
    expect(failing).toThrow(expect.objectContaining({
      code: 'ContainerStateCorrupt',
      message: expect.stringContaining(file),
      details: expect.objectContaining({ path: file, name: 'broken' }),
    }));
    expect(failing).toThrow('-Force');
  });

  it('reports metadata of the wrong shape, or missing, as corrupt', () => {
    reserveContainerDir('odd');
    expect(() => readMetadata('odd')).toThrow(expect.objectContaining({ message: expect.stringMatching(/is missing/) }));
    fs.writeFileSync(metadataFile('odd'), JSON.stringify({ ...sample('odd'), hostPid: 'twelve' }));
    expect(() => readMetadata('odd')).toThrow(expect.objectContaining({ code: 'ContainerStateCorrupt' }));
  });

  it('removes a container directory completely', () => {
    reserveContainerDir('gone');
    writeMetadata(sample('gone'));
    removeContainerDir('gone');
    expect(fs.readdirSync(path.join(state, 'containers'))).toEqual([]);
  });

  it('uses cgroup paths that differ between state directories', () => {
    const first = cgroupsPathFor('web');
    process.env.WINDOWSCONTAINERS_STATE_DIR = path.join(state, 'other');
    expect(cgroupsPathFor('web')).not.toBe(first);
    expect(first).toMatch(/^\/windowscontainers\/[0-9a-f]{10}-web$/);
  });
});

describe('runc output parsing', () => {
  it('extracts the message from logfmt and json log lines', () => {
    expect(runcErrorMessage('time="2026-01-01T00:00:00Z" level=error msg="container \\"x\\" does not exist"\n')).toBe('container "x" does not exist');
    expect(runcErrorMessage('{"level":"error","msg":"runc create failed: boom","time":"t"}\n')).toBe('runc create failed: boom');
    expect(runcErrorMessage('plain failure\n')).toBe('plain failure');
  });

  it('validates runc state documents', () => {
    const good = { ociVersion: '1.0.2', id: 'x', pid: 12, status: 'running', bundle: '/b', rootfs: '/b/rootfs', created: 't', owner: '' };
    expect(runcStateSchema.parse(good).pid).toBe(12);
    expect(runcStateSchema.safeParse({ ...good, status: 'exploded' }).success).toBe(false);
    expect(runcStateSchema.safeParse({ ...good, pid: -1 }).success).toBe(false);
  });
});

