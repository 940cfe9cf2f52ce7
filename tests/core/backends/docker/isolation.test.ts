import { describe, expect, it } from 'vitest';
import {
  daemonFacts,
  effectiveIsolation,
  hostConfigForIsolation,
  isVmClassRuntime,
  vmClassRuntimes,
} from '../../../../ts-core/src/backends/docker/isolation.js';
import { containerInspectSchema, infoSchema } from '../../../../ts-core/src/backends/docker/schemas.js';
import type { CoreError } from '../../../../ts-core/src/protocol/errors.js';
import { fixture } from './fixtures.js';

const linux = daemonFacts(infoSchema.parse(fixture('linux-info.json')), 'unix:///tmp/d.sock');
const windows = daemonFacts(infoSchema.parse(fixture('windows-info.json')), 'npipe:////./pipe/docker_engine');
const linuxWithoutRunsc = { ...linux, runtimes: { runc: { path: 'runc' }, 'io.containerd.runc.v2': { path: 'runc' } } };

describe('isolation on a Windows daemon', () => {
  it('sends HostConfig.Isolation process or hyperv', () => {
    expect(hostConfigForIsolation('Process', windows)).toEqual({ Isolation: 'process' });
    expect(hostConfigForIsolation('HyperV', windows)).toEqual({ Isolation: 'hyperv' });
    // Default is dockerd's to decide (exec-opts isolation=… first): nothing is sent.
    expect(hostConfigForIsolation('Default', windows)).toEqual({});
    expect(hostConfigForIsolation('Default', linux)).toEqual({});
  });

  it('reads the isolation back from inspect, the daemon default for an empty value', () => {
    expect(effectiveIsolation(containerInspectSchema.parse(fixture('windows-inspect-hyperv.json')), windows)).toBe('HyperV');
    const legacy = containerInspectSchema.parse(fixture('windows-inspect-default.json'));
    expect(effectiveIsolation(legacy, windows)).toBe('Process');
    expect(effectiveIsolation(legacy, { ...windows, defaultIsolation: 'HyperV' })).toBe('HyperV');
  });
});

describe('isolation on a Linux daemon', () => {
  it('uses the default runtime for Process and never sends Isolation', () => {
    expect(hostConfigForIsolation('Process', linux)).toEqual({});
  });

  it('uses runsc for HyperV-class isolation when the daemon has it', () => {
    expect(vmClassRuntimes(linux)).toEqual(['runsc']);
    expect(hostConfigForIsolation('HyperV', linux)).toEqual({ Runtime: 'runsc' });
  });

  it('refuses HyperV without a VM-class runtime, naming the runtimes and how to add runsc', () => {
    let error: CoreError | undefined;
    try {
      hostConfigForIsolation('HyperV', linuxWithoutRunsc);
    } catch (caught) {
      error = caught as CoreError;
    }
    expect(error?.code).toBe('IsolationNotSupported');
    expect(error?.message).toContain('its runtimes: io.containerd.runc.v2, runc');
    expect(error?.message).toContain('"runtimes":{"runsc":{"path":"/usr/bin/runsc"}}');
    expect(error?.message).toContain('unix:///tmp/d.sock');
  });

  it('tells VM-class runtimes by name or binary', () => {
    expect(isVmClassRuntime('gvisor', '/opt/bin/runsc')).toBe(true);
    expect(isVmClassRuntime('sandboxed', '/usr/bin/runsc')).toBe(true);
    expect(isVmClassRuntime('kata-qemu', null)).toBe(true);
    expect(isVmClassRuntime('io.containerd.runc.v2', 'runc')).toBe(false);
    expect(isVmClassRuntime('runc', '/usr/bin/runc')).toBe(false);
  });

  it('reads runsc containers as HyperV-class and runc ones as Process', () => {
    expect(effectiveIsolation(containerInspectSchema.parse(fixture('linux-inspect-runsc.json')), linux)).toBe('HyperV');
    expect(effectiveIsolation(containerInspectSchema.parse(fixture('linux-inspect-runc.json')), linux)).toBe('Process');
  });
});

describe('sharesHostKernel', () => {
  it('trusts daemon PIDs only for a daemon on this host\'s own kernel', async () => {
    const { sharesHostKernel } = await import('../../../../ts-core/src/backends/docker/index.js');
    expect(sharesHostKernel('linux', 'linux')).toBe(true);
    expect(sharesHostKernel('windows', 'win32')).toBe(true);
    // Docker Desktop's Linux engine seen from Windows, and the reverse.
    expect(sharesHostKernel('linux', 'win32')).toBe(false);
    expect(sharesHostKernel('windows', 'linux')).toBe(false);
  });
});
