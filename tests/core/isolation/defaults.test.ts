import { describe, expect, it } from 'vitest';
import { defaultIsolation, describeDefaultIsolation, resolveIsolation } from '../../../ts-core/src/isolation/defaults.js';

describe('default isolation', () => {
  it.each([
    [{ platform: 'win32', hostClass: 'Server' as const }, undefined, 'Process'],
    [{ platform: 'win32', hostClass: 'Client' as const }, undefined, 'HyperV'],
    [{ platform: 'win32', hostClass: 'Client' as const }, 'linux' as const, 'Process'],
    [{ platform: 'win32', hostClass: 'Client' as const }, 'hcs' as const, 'HyperV'],
    [{ platform: 'win32', hostClass: 'Server' as const }, 'docker' as const, 'Process'],
    [{ platform: 'linux', hostClass: null }, undefined, 'Process'],
    [{ platform: 'linux', hostClass: null }, 'linux' as const, 'Process'],
  ])('Should default %j with backend %s to %s', (host, backend, expected) => {
    expect(defaultIsolation(host, backend)).toBe(expected);
    expect(resolveIsolation('Default', host, backend)).toEqual({ isolation: expected, defaulted: true });
    expect(describeDefaultIsolation(host, backend)).toContain(`means ${expected}`);
  });

  it.each(['Process', 'HyperV'] as const)('Should let an explicit %s override the default', (requested) => {
    expect(resolveIsolation(requested, { platform: 'win32', hostClass: 'Client' })).toEqual({ isolation: requested, defaulted: false });
    expect(resolveIsolation(requested, { platform: 'win32', hostClass: 'Server' })).toEqual({ isolation: requested, defaulted: false });
  });

  it('Should say why, in words', () => {
    expect(describeDefaultIsolation({ platform: 'win32', hostClass: 'Client' })).toBe(
      'Isolation Default means HyperV: Windows client hosts (Windows 10/11) default to Hyper-V isolation.',
    );
    expect(describeDefaultIsolation({ platform: 'win32', hostClass: 'Server' }, 'linux')).toContain("linux backend's default");
  });
});
