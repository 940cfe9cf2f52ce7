import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  containerExists, listContainerNames, readMetadata, removeContainerDir, reserveContainerDir, storedContainerName, writeMetadata, type ContainerMetadata,
} from '../../../../ts-core/src/backends/linux/state.js';
import { locateBackend } from '../../../../ts-core/src/backends/locate.js';

/** Container names are case-insensitive, as on Windows; the stored name keeps the case it was created with. */
let state: string;
let previous: string | undefined;

beforeEach(() => {
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-namecase-'));
  previous = process.env.WINDOWSCONTAINERS_STATE_DIR;
  process.env.WINDOWSCONTAINERS_STATE_DIR = state;
});

afterEach(() => {
  if (previous === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
  else process.env.WINDOWSCONTAINERS_STATE_DIR = previous;
  fs.rmSync(state, { recursive: true, force: true });
});

function metadataFor(name: string): ContainerMetadata {
  return {
    schemaVersion: 2, name, backend: 'linux', runtime: 'runc', isolation: 'Process', image: 'busybox', command: ['true'], env: {},
    workingDir: '/', hostname: name, memoryMB: null, cpuCount: null, createdAt: new Date(0).toISOString(), startedAt: null, runtimeId: name,
    hostPid: null, hostPidStartTimeMs: null, workerPid: null, workerStartTimeMs: null, stoppedAt: null, exitCode: null, cgroupsPath: null, runtimeData: {}, user: null, userNamespace: null,
  };
}

describe('container names and case', () => {
  it('Should refuse a second name that differs only by case as ContainerAlreadyExists, naming the stored one', () => {
    reserveContainerDir('UX-Case');
    expect(() => reserveContainerDir('ux-case')).toThrow(expect.objectContaining({ code: 'ContainerAlreadyExists', message: expect.stringContaining("'UX-Case'") }));
    expect(listContainerNames()).toEqual(['UX-Case']);
  });

  it('Should still refuse the very same name', () => {
    reserveContainerDir('web');
    expect(() => reserveContainerDir('web')).toThrow(expect.objectContaining({ code: 'ContainerAlreadyExists' }));
  });

  it('Should refuse a name whose twin in another case another process made (a directory without metadata yet)', () => {
    fs.mkdirSync(path.join(state, 'containers'), { recursive: true });
    fs.mkdirSync(path.join(state, 'containers', 'Race'));
    expect(() => reserveContainerDir('RACE')).toThrow(expect.objectContaining({ code: 'ContainerAlreadyExists' }));
    expect(listContainerNames()).toEqual(['Race']);
  });

  it('Should find a container by its name in any case and report the stored name', () => {
    reserveContainerDir('UX-Web');
    writeMetadata(metadataFor('UX-Web'));
    expect(storedContainerName('ux-web')).toBe('UX-Web');
    expect(readMetadata('ux-WEB').name).toBe('UX-Web');
    expect(containerExists('UX-WEB')).toBe(true);
  });

  it('Should locate the linux backend for a name in another case', async () => {
    reserveContainerDir('UX-Loc');
    writeMetadata(metadataFor('UX-Loc'));
    expect((await locateBackend('ux-loc'))?.name).toBe('linux');
  });

  it('Should remove the stored directory when given the name in another case', () => {
    reserveContainerDir('UX-Gone');
    writeMetadata(metadataFor('UX-Gone'));
    removeContainerDir('ux-gone');
    expect(listContainerNames()).toEqual([]);
  });

  it('Should keep ContainerNotFound for a name no container has in any case', () => {
    reserveContainerDir('one');
    writeMetadata(metadataFor('one'));
    expect(() => readMetadata('two')).toThrow(expect.objectContaining({ code: 'ContainerNotFound' }));
    expect(storedContainerName('two')).toBe('two');
  });
});
