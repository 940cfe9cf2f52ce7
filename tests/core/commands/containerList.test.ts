import { describe, expect, it, vi } from 'vitest';
import type { ContainerInfo } from '../../../ts-core/src/domain/container.js';
import type { BackendName } from '../../../ts-core/src/domain/isolation.js';

const container = (name: string, backend: BackendName, id = `${backend}-${name}`): ContainerInfo => ({
  name, id, backend, image: 'busybox', isolation: 'Process', state: 'running', command: [],
  createdAt: '2026-11-29T00:00:00Z', startedAt: null, exitCode: null, hostPid: null, utilityVmId: null, managed: true,
});

// Two usable backends, each answering its own containers in its own order (as linux and docker do).
const held: Record<string, ContainerInfo[]> = {
  linux: [container('web-2', 'linux'), container('Api', 'linux'), container('zeta', 'linux')],
  docker: [container('web-10', 'docker'), container('alpha', 'docker'), container('WEB-1', 'docker')],
};

vi.mock('../../../ts-core/src/backends/registry.js', () => ({
  probeAll: async () => Object.keys(held).map((name) => ({ name, usable: true, isolations: ['Process'], reason: null, details: {} })),
  getBackend: (name: string) => ({ name, list: async () => ({ containers: held[name] ?? [], problems: [] }) }),
  autoBackend: async () => { throw new Error('not used'); },
}));

describe('container.list order (what Get-IsolatedContainer returns)', () => {
  it('answers the containers of every backend together, sorted by name case-insensitively', async () => {
    const { Dispatcher } = await import('../../../ts-core/src/protocol/dispatcher.js');
    const { containerList } = await import('../../../ts-core/src/commands/container.js');
    const response = await new Dispatcher([containerList]).execute(1, 'container.list', {}, () => {});
    expect(response.success).toBe(true);
    if (!response.success) return;
    const body = response.body as { containers: ContainerInfo[] };
    // Ordinal on the lower-cased name: web-1 < web-10 < web-2.
    expect(body.containers.map((c) => `${c.backend}:${c.name}`)).toEqual([
      'docker:alpha', 'linux:Api', 'docker:WEB-1', 'docker:web-10', 'linux:web-2', 'linux:zeta',
    ]);
  });
});

describe('sortListed', async () => {
  const { sortListed } = await import('../../../ts-core/src/commands/container.js');

  it('is stable and locale-independent: one name on two backends comes in backend order, then by id', () => {
    const listed = [container('same', 'linux', 'b'), container('same', 'docker', 'z'), container('same', 'linux', 'a'), container('Same', 'docker', 'y')];
    const order = sortListed(listed).map((c) => `${c.backend}:${c.name}:${c.id}`);
    expect(order).toEqual(['docker:Same:y', 'docker:same:z', 'linux:same:a', 'linux:same:b']);
    expect(sortListed([...listed].reverse()).map((c) => `${c.backend}:${c.name}:${c.id}`)).toEqual(order);
  });

  it('leaves its input as it was', () => {
    const listed = [container('b', 'linux'), container('a', 'linux')];
    sortListed(listed);
    expect(listed.map((c) => c.name)).toEqual(['b', 'a']);
  });
});
