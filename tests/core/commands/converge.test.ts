import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { createArgsFor, differingProperties, instanceState, planConverge } from '../../../ts-core/src/commands/converge.js';
import { containerInstanceSchema, containerInstanceStateSchema } from '../../../ts-core/src/domain/desiredState.js';
import { runDsc } from '../../../ts-core/src/dsc.js';
import { dscResourceManifest } from '../../../ts-core/src/dscManifest.js';
import { Dispatcher } from '../../../ts-core/src/protocol/dispatcher.js';
import { allCommands } from '../../../ts-core/src/commands/index.js';
import type { ContainerInfo } from '../../../ts-core/src/domain/container.js';

const actual: ContainerInfo = {
  name: 'web', id: 'web', backend: 'linux', image: 'busybox', isolation: 'Process', state: 'running',
  command: ['sleep', '300'], createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, exitCode: null, hostPid: 42, utilityVmId: null, managed: true,
};

describe('differingProperties', () => {
  it('compares only the properties given, and treats Default isolation and an empty command as unmanaged', () => {
    expect(differingProperties({ name: 'web' }, actual)).toEqual([]);
    expect(differingProperties({ name: 'web', isolation: 'Default', command: [] }, actual)).toEqual([]);
    expect(differingProperties({ name: 'web', image: 'alpine', isolation: 'HyperV', command: ['sh'], backend: 'docker', state: 'stopped' }, actual))
      .toEqual(['image', 'isolation', 'command', 'backend', 'state']);
    expect(differingProperties({ name: 'web', command: ['sleep', '300', 'x'] }, actual)).toEqual(['command']);
  });

  it('says _exist when presence differs, and nothing else', () => {
    expect(differingProperties({ name: 'web', image: 'alpine' }, null)).toEqual(['_exist']);
    expect(differingProperties({ name: 'web', _exist: false, image: 'alpine' }, actual)).toEqual(['_exist']);
    expect(differingProperties({ name: 'web', _exist: false }, null)).toEqual([]);
  });

  it('counts an exited or created container as stopped', () => {
    expect(differingProperties({ name: 'web' }, { ...actual, state: 'exited' })).toEqual(['state']);
    expect(differingProperties({ name: 'web', state: 'stopped' }, { ...actual, state: 'created' })).toEqual([]);
  });
});

describe('planConverge', () => {
  it('creates, removes, stops, and starts only when the backend can start', () => {
    expect(planConverge({ name: 'web', image: 'busybox' }, null, true)).toEqual(['create']);
    expect(planConverge({ name: 'web', image: 'busybox', state: 'stopped' }, null, true)).toEqual(['create', 'stop']);
    expect(planConverge({ name: 'web', _exist: false }, actual, true)).toEqual(['remove']);
    expect(planConverge({ name: 'web', state: 'stopped' }, actual, true)).toEqual(['stop']);
    const exited = { ...actual, state: 'exited' as const };
    expect(planConverge({ name: 'web' }, exited, true)).toEqual(['start']);
    expect(planConverge({ name: 'web' }, exited, false)).toEqual(['recreate']);
  });

  it('recreates when image, isolation, command or backend differ, and does nothing when in the desired state', () => {
    expect(planConverge({ name: 'web', isolation: 'HyperV' }, actual, true)).toEqual(['recreate']);
    expect(planConverge({ name: 'web', image: 'alpine', state: 'stopped' }, actual, true)).toEqual(['recreate', 'stop']);
    expect(planConverge({ name: 'web', image: 'busybox', isolation: 'Process' }, actual, true)).toEqual([]);
  });
});

describe('the instance schema', () => {
  it('refuses unknown properties and bad values, naming them', () => {
    const misspelt = containerInstanceSchema.safeParse({ name: 'web', imgae: 'busybox' });
    expect(misspelt.success).toBe(false);
    expect(JSON.stringify(misspelt.error?.issues)).toContain('imgae');
    expect(containerInstanceSchema.safeParse({ name: 'web', backend: 'podman' }).success).toBe(false);
    expect(containerInstanceSchema.safeParse({ name: 'bad name' }).success).toBe(false);
  });

  it('accepts a reported state as a desired one (an answer can be sent back as it is)', () => {
    const state = { ...instanceState('web', actual), _inDesiredState: true, differingProperties: [] };
    expect(containerInstanceStateSchema.parse(state)).toEqual(state);
    expect(containerInstanceSchema.safeParse(state).success).toBe(true);
  });

  it('is the schema the DSC manifest embeds, with read-only reported properties', () => {
    const manifest = dscResourceManifest('9.9.9') as { version: string; schema: { embedded: { properties: Record<string, { readOnly?: boolean }>; required: string[]; additionalProperties: boolean } } };
    expect(manifest.version).toBe('9.9.9');
    const { embedded } = manifest.schema;
    expect(embedded.required).toEqual(['name']);
    expect(embedded.additionalProperties).toBe(false);
    expect(embedded.properties._exist?.readOnly).toBeUndefined();
    expect(embedded.properties._inDesiredState?.readOnly).toBe(true);
    expect(Object.keys(embedded.properties)).toEqual(Object.keys(containerInstanceSchema.shape));
  });
});

describe('the DSC mode of the one-shot CLI', () => {
  async function dsc(operation: 'get' | 'test' | 'set' | 'delete', stdin: string) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDsc(new Dispatcher(allCommands), operation, Readable.from([stdin]), (l) => out.push(l), (l) => err.push(l));
    return { code, out, err: err.map((l) => JSON.parse(l) as Record<string, string>) };
  }

  it('rejects a malformed document with the schema message, exit code 2 and nothing on stdout', async () => {
    const misspelt = await dsc('set', '{"name":"web","imgae":"busybox"}');
    expect(misspelt.code).toBe(2);
    expect(misspelt.out).toEqual([]);
    expect(misspelt.err[0]?.error).toMatch(/not a valid WindowsContainers\/IsolatedContainer instance[\s\S]*imgae/);
    const notJson = await dsc('get', '{"name":');
    expect(notJson.code).toBe(2);
    expect(notJson.err[0]?.error).toContain('not valid JSON');
  });

  it('refuses a document over 1 MiB without parsing it', async () => {
    const large = await dsc('test', `{"name":"web","image":"${'a'.repeat(1024 * 1024)}"}`);
    expect(large.code).toBe(2);
    expect(large.err[0]?.error).toContain('larger than');
  });
});

describe('readStdin', () => {
  it('gives up on a stdin that is never closed, with OperationTimeout', async () => {
    const { PassThrough } = await import('node:stream');
    const { readStdin } = await import('../../../ts-core/src/dsc.js');
    const open = new PassThrough();
    open.write('{"name":');
    await expect(readStdin(open, 1024, 50)).rejects.toMatchObject({ code: 'OperationTimeout' });
  });
});

describe('createArgsFor', () => {
  it('keeps what is not managed from the container it recreates', () => {
    const hyperV = { ...actual, isolation: 'HyperV' as const, state: 'exited' as const };
    expect(createArgsFor({ name: 'web', isolation: 'Default' }, hyperV)).toEqual({ image: 'busybox', isolation: 'HyperV', command: ['sleep', '300'], backend: 'linux' });
    expect(createArgsFor({ name: 'web', image: 'alpine', command: [] }, hyperV)).toEqual({ image: 'alpine', isolation: 'HyperV', command: ['sleep', '300'], backend: 'linux' });
    expect(createArgsFor({ name: 'web', image: 'busybox' }, null)).toEqual({ image: 'busybox', isolation: 'Default', command: [], backend: undefined });
  });

  it('refuses to create without an image, naming the property', () => {
    expect(() => createArgsFor({ name: 'web' }, null)).toThrow(expect.objectContaining({ code: 'InvalidArgument', message: expect.stringContaining('image') }));
  });
});
