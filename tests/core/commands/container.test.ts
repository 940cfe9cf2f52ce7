import { describe, expect, it } from 'vitest';

describe('container.create refusing an incompatible Windows image', () => {
  it('refuses before any backend call, so the one-shot CLI and DSC get the same pre-flight as the module', async () => {
    const { mkdtemp, readdir, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { Dispatcher } = await import('../../../ts-core/src/protocol/dispatcher.js');
    const { containerCommands } = await import('../../../ts-core/src/commands/container.js');
    const state = await mkdtemp(path.join(os.tmpdir(), 'wc-preflight-'));
    const previous = process.env.WINDOWSCONTAINERS_STATE_DIR;
    process.env.WINDOWSCONTAINERS_STATE_DIR = state;
    try {
      const response = await new Dispatcher(containerCommands).execute(1, 'container.create', {
        name: 'servercore', image: 'mcr.microsoft.com/windows/servercore:ltsc2022', isolation: 'Process', backend: 'linux',
      }, () => {});
      expect(response).toMatchObject({ success: false, error: { code: 'ImageIncompatibleWithHost' } });
      if (!response.success) expect(response.error.message).toContain('ltsc2022');
      expect(await readdir(state)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
      else process.env.WINDOWSCONTAINERS_STATE_DIR = previous;
      await rm(state, { recursive: true, force: true });
    }
  });
});

describe('selectListed (what Get-IsolatedContainer shows)', async () => {
  const { selectListed } = await import('../../../ts-core/src/commands/container.js');
  const container = (name: string, managed: boolean) => ({
    name, id: name, backend: 'docker' as const, image: 'busybox', isolation: 'Process' as const, state: 'exited' as const, command: [],
    createdAt: '2026-11-29T00:00:00Z', startedAt: null, exitCode: 0, hostPid: null, utilityVmId: null, managed,
  });
  const listed = [container('web1', true), container('web2', false), container('db', true)];

  it('shows the containers this module made, in any state', () => {
    expect(selectListed(listed, ['*'], false).map((c) => c.name)).toEqual(['web1', 'db']);
    expect(selectListed(listed, ['web*'], false).map((c) => c.name)).toEqual(['web1']);
  });

  it('adds the others with all', () => {
    expect(selectListed(listed, ['web*'], true).map((c) => c.name)).toEqual(['web1', 'web2']);
  });

  it('finds any container by its exact name', () => {
    expect(selectListed(listed, ['web2'], false).map((c) => c.name)).toEqual(['web2']);
  });
});

describe('container.exec arguments', () => {
  async function exec(command: string[]) {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { Dispatcher } = await import('../../../ts-core/src/protocol/dispatcher.js');
    const { containerCommands } = await import('../../../ts-core/src/commands/container.js');
    const state = await mkdtemp(path.join(os.tmpdir(), 'wc-execargs-'));
    const previous = process.env.WINDOWSCONTAINERS_STATE_DIR;
    process.env.WINDOWSCONTAINERS_STATE_DIR = state;
    try {
      return await new Dispatcher(containerCommands).execute(1, 'container.exec', { name: 'no-such-exec', command }, () => {});
    } finally {
      if (previous === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
      else process.env.WINDOWSCONTAINERS_STATE_DIR = previous;
      await rm(state, { recursive: true, force: true });
    }
  }

  it('takes an empty argument after the program (an argv element like any other) and goes on to find the container', async () => {
    for (const command of [['printf', '%s|', 'a', '', 'b'], ['echo', ''], ['echo', '-']]) {
      const response = await exec(command);
      expect(response).toMatchObject({ success: false, error: { code: 'ContainerNotFound' } });
    }
  });

  it('refuses an empty program name, saying which element and what may be empty', async () => {
    const response = await exec(['', 'a']);
    expect(response).toMatchObject({ success: false, error: { code: 'InvalidArgument' } });
    if (!response.success) expect(response.error.message).toMatch(/program to run \(the first element of the command\) is empty; only its arguments may be/);
  });
});
