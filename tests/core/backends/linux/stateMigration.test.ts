/**
 * State on disk carries a version: the container, VM and image records that
 * today's released core writes (captured from a real run before the format
 * changed, in tests/core/fixtures/state-v1) are still read by this one, and a
 * version-1 container.json is migrated to the current shape.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTAINER_METADATA_VERSION, readMetadata, writeMetadata } from '../../../../ts-core/src/backends/linux/state.js';
import { listImages } from '../../../../ts-core/src/backends/linux/images.js';
import { readVmRecord } from '../../../../ts-core/src/backends/linux/vm/utilityVm.js';

const fixtures = path.resolve('tests/core/fixtures/state-v1');
let state: string;
const saved = process.env.WINDOWSCONTAINERS_STATE_DIR;

beforeEach(() => {
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-migrate-'));
  process.env.WINDOWSCONTAINERS_STATE_DIR = state;
  fs.cpSync(fixtures, state, { recursive: true });
});

afterEach(() => {
  fs.rmSync(state, { recursive: true, force: true });
  if (saved === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
  else process.env.WINDOWSCONTAINERS_STATE_DIR = saved;
});

describe('state written by the previous version', () => {
  it.each(['fixture-proc', 'fixture-vm'])('reads the version-1 container.json of %s as the current shape, every field kept', (name) => {
    const v1 = JSON.parse(fs.readFileSync(path.join(fixtures, 'containers', name, 'container.json'), 'utf8')) as Record<string, unknown>;
    expect(v1.schemaVersion).toBe(1);
    const metadata = readMetadata(name);
    expect(metadata).toEqual({ ...v1, schemaVersion: CONTAINER_METADATA_VERSION, user: null, userNamespace: null });
  });

  it('writes the migrated record in the current version and reads it back unchanged', () => {
    const migrated = readMetadata('fixture-proc');
    writeMetadata(migrated);
    const onDisk = JSON.parse(fs.readFileSync(path.join(state, 'containers', 'fixture-proc', 'container.json'), 'utf8')) as { schemaVersion: number };
    expect(onDisk.schemaVersion).toBe(CONTAINER_METADATA_VERSION);
    expect(readMetadata('fixture-proc')).toEqual(migrated);
  });

  it('reads the VM record and the image record as they were written', async () => {
    const vm = await readVmRecord(path.join(state, 'containers', 'fixture-vm'));
    expect(vm).toMatchObject({ version: 1, containerId: 'fixture-vm', processName: 'wc-fixture-vm' });
    expect(listImages().map((i) => ({ name: i.name, layers: i.layers, format: i.format }))).toEqual([{ name: 'busybox', layers: 1, format: 'rootfs' }]);
  });

  it('refuses a record from a newer version by name, not as a shape error', () => {
    const file = path.join(state, 'containers', 'fixture-proc', 'container.json');
    const v1 = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(file, JSON.stringify({ ...v1, schemaVersion: CONTAINER_METADATA_VERSION + 1 }));
    expect(() => readMetadata('fixture-proc')).toThrow(expect.objectContaining({ code: 'ContainerStateCorrupt', message: expect.stringMatching(/newer version of the module/) }));
  });
});
