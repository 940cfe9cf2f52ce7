/**
 * hcs answers but creates nothing, so it takes no part in `auto`: a create
 * on Windows goes to docker without asking HCS anything. Simulated here:
 * platform reported as win32, HCS served by the stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoBackend, autoCreateOrder } from '../../../../ts-core/src/backends/registry.js';
import { HCS_LIBRARY_SETTING } from '../../../../ts-core/src/backends/hcs/computecore.js';
import { CoreError } from '../../../../ts-core/src/protocol/errors.js';
import { buildStandin, loadRecordedSystems, type Standin } from './standin.js';

let standin: Standin;
const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
const previous = process.env[HCS_LIBRARY_SETTING];

beforeAll(() => {
  standin = buildStandin();
  loadRecordedSystems(standin);
  process.env[HCS_LIBRARY_SETTING] = standin.library;
  Object.defineProperty(process, 'platform', { ...platform, value: 'win32' });
});
afterAll(() => {
  Object.defineProperty(process, 'platform', platform);
  if (previous === undefined) delete process.env[HCS_LIBRARY_SETTING];
  else process.env[HCS_LIBRARY_SETTING] = previous;
  standin?.dispose();
});

describe('autoBackend on Windows', () => {
  it('leaves hcs out of the order because it cannot create', () => {
    expect(autoCreateOrder('win32')).toEqual(['docker']);
    expect(autoCreateOrder('linux')).toEqual(['linux', 'docker']);
  });

  it('never lands on hcs, and does not enumerate HCS to decide', async () => {
    standin.reset();
    loadRecordedSystems(standin);
    const result = await autoBackend().then(
      (backend) => backend.name,
      (error: unknown) => error,
    );
    // Whatever docker says on this machine, the answer is never hcs.
    expect(result).not.toBe('hcs');
    if (result instanceof CoreError) {
      expect(result.code).toBe('BackendUnavailable');
      expect(result.message).toMatch(/^No backend is usable on this host\. docker: /);
      expect(result.message).not.toMatch(/hcs:/);
    }
    expect(standin.callCount('HcsEnumerateComputeSystems')).toBe(0);
  });
});
