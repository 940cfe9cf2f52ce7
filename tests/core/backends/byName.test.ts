import { describe, expect, it } from 'vitest';
import { inspectEach, ownsByLookup } from '../../../ts-core/src/backends/byName.js';
import { CoreError } from '../../../ts-core/src/protocol/errors.js';
import type { ContainerInfo } from '../../../ts-core/src/domain/container.js';

const fail = (error: unknown) => async () => {
  throw error;
};

describe('ownsByLookup (Backend.owns for docker and hcs)', () => {
  it('owns what the lookup finds', async () => {
    expect(await ownsByLookup(async () => ({}))).toBe(true);
  });

  it.each(['ContainerNotFound', 'DockerUnavailable', 'HcsUnavailable', 'PermissionDenied', 'OperationTimeout'] as const)(
    'owns nothing when the lookup says %s: the backend does not hold it or cannot be asked here',
    async (code) => {
      expect(await ownsByLookup(fail(new CoreError(code, code)))).toBe(false);
    },
  );

  it.each(['DockerError', 'DockerResponseInvalid', 'InvalidArgument'] as const)('passes %s on: the backend answered, and something is wrong', async (code) => {
    await expect(ownsByLookup(fail(new CoreError(code, code)))).rejects.toMatchObject({ code });
  });

  it('passes on what is not a CoreError', async () => {
    await expect(ownsByLookup(fail(new TypeError('bug')))).rejects.toBeInstanceOf(TypeError);
  });
});

describe('inspectEach (Backend.inspectMany one name at a time)', () => {
  it('answers each name with its container or its own CoreError, in order', async () => {
    const found = { name: 'a' } as ContainerInfo;
    const results = await inspectEach(async (name) => {
      if (name === 'a') return found;
      throw new CoreError('ContainerNotFound', `no ${name}`);
    }, ['a', 'b']);
    expect([...results.keys()]).toEqual(['a', 'b']);
    expect(results.get('a')).toBe(found);
    expect(results.get('b')).toMatchObject({ code: 'ContainerNotFound' });
  });

  it('lets a failure that is not a CoreError through', async () => {
    await expect(inspectEach(fail(new TypeError('bug')), ['a'])).rejects.toBeInstanceOf(TypeError);
  });
});
