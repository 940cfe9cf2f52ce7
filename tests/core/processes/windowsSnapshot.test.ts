/**
 * The Windows snapshot's parsing, on output recorded in the script's format.
 * The route itself (powershell.exe, Get-CimInstance) runs only on Windows:
 * tests/pester/Hcs.Windows.Tests.ps1 checks it there.
 */
import { describe, expect, it } from 'vitest';
import { decodeSnapshotOutput, parseWindowsSnapshot, processNameFromWin32, windowsSnapshotCommand, windowsSnapshotScript } from '../../../ts-core/src/processes/windowsSnapshot.js';
import { fixture } from '../backends/hcs/standin.js';

describe('parseWindowsSnapshot', () => {
  const snapshot = parseWindowsSnapshot(fixture('windows-snapshot.json'));

  it('reads every process but PID 0, with Get-Process names and UTC start times', () => {
    expect(snapshot.processes.map((p) => p.pid)).toEqual([4, 2140, 2876, 3108, 3964, 1160, 4100, 5012, 5040, 6120, 6150, 7001, 7002, 7003]);
    const ping = snapshot.processes.find((p) => p.pid === 3964)!;
    expect(ping).toMatchObject({ name: 'PING', parentPid: 3108, commandLine: 'ping  -t localhost', sessionId: 2, nsPids: [], pidNamespace: null });
    expect(new Date(ping.startTimeMs).toISOString()).toBe('2026-11-29T07:58:12.046Z');
    expect(snapshot.takenAtMs).toBe(Date.parse('2026-11-29T08:03:00.123Z'));
    expect(snapshot.unreadable).toEqual([]);
  });

  it('keeps vmwp command lines and the owners of vmwp, vmmem and vmmem.exe', () => {
    expect(snapshot.processes.find((p) => p.pid === 5012)).toMatchObject({ user: 'NT VIRTUAL MACHINE\\5D2C6C7E-1A0B-4B7E-9F43-2F4F0C3A8E11' });
    expect(snapshot.processes.find((p) => p.pid === 5012)?.commandLine).toContain('5D2C6C7E-1A0B-4B7E-9F43-2F4F0C3A8E11');
    expect(snapshot.processes.find((p) => p.pid === 5040)).toMatchObject({ name: 'vmmem', user: 'NT VIRTUAL MACHINE\\5D2C6C7E-1A0B-4B7E-9F43-2F4F0C3A8E11', commandLine: '' });
    expect(snapshot.processes.find((p) => p.pid === 6150)).toMatchObject({ name: 'vmmem', user: 'NT VIRTUAL MACHINE\\0B7E4C33-91A2-4E5F-8D6C-AA12BC34DE56' });
  });

  it('converts counters: bytes, pool quotas from KB, CPU from 100 ns units', () => {
    expect(snapshot.processes.find((p) => p.pid === 2140)).toMatchObject({
      workingSetBytes: 21037056,
      privateBytes: 8826880,
      pagedBytes: 214 * 1024,
      nonPagedBytes: 23 * 1024,
      cpuSeconds: 0.6875,
    });
  });

  it('lists a process without a creation time as unreadable instead of guessing', () => {
    const text = JSON.stringify({
      TakenAt: '2026-11-29T08:00:00Z',
      Processes: { ProcessId: 77, ParentProcessId: 4, Name: 'Secure System', CommandLine: null, CreationDate: null, WorkingSetSize: '1', PrivatePageCount: '1', QuotaPagedPoolUsage: '', QuotaNonPagedPoolUsage: '', KernelModeTime: '0', UserModeTime: '0', SessionId: 0, Owner: null },
    });
    expect(parseWindowsSnapshot(text)).toMatchObject({ processes: [], unreadable: [77] });
  });

  it('names the field when the output is not what the script writes', () => {
    const bad = fixture('windows-snapshot.json').replace('"WorkingSetSize":"6025216"', '"WorkingSetSize":"6 MB"');
    expect(() => parseWindowsSnapshot(bad)).toThrow(expect.objectContaining({
      code: 'ExternalDataInvalid',
      message: expect.stringContaining("'Processes.3.WorkingSetSize'"),
    }));
    expect(() => parseWindowsSnapshot('WARNING: something')).toThrow(/not valid JSON/);
  });

  it('strips only a trailing .exe, as Get-Process does', () => {
    expect(processNameFromWin32('PING.EXE')).toBe('PING');
    expect(processNameFromWin32('vmmem')).toBe('vmmem');
    expect(processNameFromWin32('my.exe.tool.exe')).toBe('my.exe.tool');
  });
});

describe('encoding: redirected powershell.exe output is in the OEM code page unless the script says otherwise', () => {
  const utf8 = Buffer.from(fixture('windows-snapshot.json'), 'utf8');

  it('decodes the UTF-8 the script writes, non-ASCII process names intact', () => {
    const parsed = parseWindowsSnapshot(decodeSnapshotOutput(utf8));
    expect(parsed.processes.find((p) => p.pid === 4100)).toMatchObject({ name: 'пинг', commandLine: 'пинг.exe -t localhost' });
  });

  it('drops a UTF-8 BOM', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    expect(parseWindowsSnapshot(decodeSnapshotOutput(withBom)).processes).toHaveLength(14);
  });

  it('refuses output in an OEM code page instead of turning names into U+FFFD', () => {
    // "пинг" in code page 866, as a Russian console would write it without the script's OutputEncoding.
    const cp866 = Buffer.from([0xaf, 0xa8, 0xad, 0xa3]);
    const marker = Buffer.from('пинг', 'utf8');
    const parts: Buffer[] = [];
    let rest = utf8;
    for (let at = rest.indexOf(marker); at >= 0; at = rest.indexOf(marker)) {
      parts.push(rest.subarray(0, at), cp866);
      rest = rest.subarray(at + marker.length);
    }
    const oem = Buffer.concat([...parts, rest]);
    // What a lenient decode would do: the name no longer matches HCS's UTF-16 ImageName.
    expect(oem.toString('utf8')).toContain('\uFFFD');
    expect(() => decodeSnapshotOutput(oem)).toThrow(expect.objectContaining({
      code: 'ExternalDataInvalid',
      message: expect.stringMatching(/not UTF-8/),
    }));
  });

  it('makes powershell.exe write UTF-8 before it writes anything', () => {
    const setEncoding = windowsSnapshotScript.indexOf('[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)');
    expect(setEncoding).toBeGreaterThan(0);
    expect(setEncoding).toBeLessThan(windowsSnapshotScript.indexOf('ConvertTo-Json'));
    expect(setEncoding).toBeLessThan(windowsSnapshotScript.indexOf('Get-CimInstance'));
  });

  it('asks the owner of exactly the processes the worker rule reads it from', () => {
    expect(windowsSnapshotScript).toContain("$p.Name -in @('vmmem', 'vmmem.exe', 'vmwp.exe')");
  });
});

describe('windowsSnapshotCommand', () => {
  it('runs Windows PowerShell from System32 with a fixed, encoded script', () => {
    const { file, args } = windowsSnapshotCommand({ SystemRoot: 'D:\\Win' });
    expect(file).toBe('D:\\Win\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(args.slice(0, -1)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(Buffer.from(args.at(-1)!, 'base64').toString('utf16le')).toBe(windowsSnapshotScript);
    expect(windowsSnapshotScript).toContain('Get-CimInstance -ClassName Win32_Process');
  });
});
