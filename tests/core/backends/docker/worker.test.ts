import { describe, expect, it } from 'vitest';
import { findHyperVWorker, findRunscSandbox } from '../../../../ts-core/src/backends/docker/worker.js';
import { utilityVmIdOf } from '../../../../ts-core/src/backends/hcs/model.js';
import { containerInspectSchema } from '../../../../ts-core/src/backends/docker/schemas.js';
import { classifySystems } from '../../../../ts-core/src/backends/hcs/model.js';
import { enumerateResultSchema } from '../../../../ts-core/src/backends/hcs/schema.js';
import type { HostProcess } from '../../../../ts-core/src/processes/types.js';
import { fixture, hostProcesses } from './fixtures.js';

const hvId = '5d3b4bd1c3a67a34f0ad0a9e2f7a0d5d7e0d4a6ec8c9f3e1a2b4c6d8e0f1a2b3';
const vmId = '7F0D5C8A-3B1E-4E6A-9C2D-1A2B3C4D5E6F';
const windowsHost = hostProcesses('windows-host-processes.json');

describe('Windows Hyper-V worker', () => {
  const systems = classifySystems(enumerateResultSchema.parse(fixture('windows-compute-systems.json')));

  it("reads the utility VM id of a Docker container from HCS: the v1 HvPartition's own RuntimeId", () => {
    // HCS's GUID schema lower-cases it; the worker match is case-blind and ties to the host's own spelling.
    expect(utilityVmIdOf(systems, hvId)).toBe(vmId.toLowerCase());
    expect(utilityVmIdOf(systems, hvId.toUpperCase())).toBe(vmId.toLowerCase());
  });

  it('has no utility VM for a process-isolated container or one HCS does not list', () => {
    expect(utilityVmIdOf(systems, '8a1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c6d8e0f1a2b3c4')).toBeNull();
    expect(utilityVmIdOf(systems, 'f'.repeat(64))).toBeNull();
  });

  it('claims the vmmem running as NT VIRTUAL MACHINE\\<VM id> (hcsshim), with the vmwp naming the VM as corroboration', () => {
    const claim = findHyperVWorker(windowsHost, vmId.toLowerCase());
    expect(claim).toMatchObject({ pid: 6188, name: 'vmmem', tieToken: `NT VIRTUAL MACHINE\\${vmId}`, tieField: 'user', startTimeMs: 1764324720700 });
    expect(claim?.how).toContain('vmwp.exe (PID 6120)');
    // The token really occurs in the field the verdict will check.
    expect(windowsHost.find((p) => p.pid === claim?.pid)?.user).toContain(claim?.tieToken);
  });

  it("never takes a person's vmmem that names the VM on its command line", () => {
    const decoyOnly = windowsHost.filter((p) => p.pid !== 6188 && p.pid !== 6120);
    expect(decoyOnly.some((p) => p.pid === 7400)).toBe(true);
    expect(findHyperVWorker(decoyOnly, vmId)).toBeNull();
  });

  it('falls back to the System32 vmwp that names the VM and runs as its account when no vmmem does', () => {
    const claim = findHyperVWorker(windowsHost.filter((p) => p.pid !== 6188), vmId);
    expect(claim).toMatchObject({ pid: 6120, name: 'vmwp', tieField: 'commandLine', tieToken: vmId });
  });

  it('does not take a vmwp outside System32, one run by a person, or one whose owner could not be read', () => {
    const real = windowsHost.find((p) => p.pid === 6120)!;
    const others = windowsHost.filter((p) => p.pid !== 6120 && p.pid !== 6188);
    const elsewhere = { ...real, pid: 8100, commandLine: `C:\\Users\\eve\\vmwp.exe ${vmId}` };
    const fakeSystem32 = { ...real, pid: 8102, commandLine: `C:\\Users\\eve\\System32\\vmwp.exe ${vmId}` };
    const byPerson = { ...real, pid: 8101, user: 'WS2022-HOST\\eve' };
    expect(findHyperVWorker([...others, elsewhere], vmId)).toBeNull();
    expect(findHyperVWorker([...others, fakeSystem32], vmId)).toBeNull();
    expect(findHyperVWorker([...others, byPerson], vmId)).toBeNull();
    expect(findHyperVWorker([...others, { ...real, user: null }], vmId)).toBeNull();
  });

  it('claims nothing for an id that is not a GUID, the zero GUID, another VM, or two vmmem running as one VM', () => {
    expect(findHyperVWorker(windowsHost, 'vmwp')).toBeNull();
    expect(findHyperVWorker(windowsHost, '00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(findHyperVWorker(windowsHost, '99999999-2222-3333-4444-555555555555')).toBeNull();
    const twin: HostProcess = { ...windowsHost.find((p) => p.pid === 6188)!, pid: 9999 };
    expect(findHyperVWorker([...windowsHost, twin], vmId)).toBeNull();
  });
});

describe('runsc sandbox worker', () => {
  const container = containerInspectSchema.parse(fixture('linux-inspect-runsc.json'));
  const host = hostProcesses('linux-runsc-host-processes.json');

  it('finds the recorded runsc-sandbox (exe, nobody, command line holds the id), which Docker calls State.Pid', () => {
    const claim = findRunscSandbox(host, container.Id, container.State.Pid);
    expect(claim).toMatchObject({ pid: container.State.Pid, name: 'exe', tieToken: container.Id, tieField: 'commandLine' });
    expect(host.find((p) => p.pid === claim?.pid)?.commandLine.startsWith('runsc-sandbox ')).toBe(true);
  });

  it('does not take the gofer (root) or the sandbox of another container', () => {
    const gofer = host.filter((p) => p.commandLine.startsWith('runsc-gofer'));
    expect(gofer).toHaveLength(1);
    expect(findRunscSandbox(gofer, container.Id, null)).toBeNull();
    const otherId = 'f'.repeat(64);
    expect(findRunscSandbox(host, otherId, null)).toBeNull();
  });

  it('refuses a look-alike not run as nobody, and a sandbox that is not Docker\'s State.Pid', () => {
    const sandbox = host.find((p) => p.pid === container.State.Pid)!;
    expect(findRunscSandbox([{ ...sandbox, user: 'root' }], container.Id, null)).toBeNull();
    expect(findRunscSandbox([{ ...sandbox, name: 'runsc-sandbox' }], container.Id, null)).toBeNull();
    expect(findRunscSandbox(host, container.Id, container.State.Pid + 1)).toBeNull();
    expect(findRunscSandbox([sandbox, { ...sandbox, pid: sandbox.pid + 1000 }], container.Id, null)).toBeNull();
  });
});
