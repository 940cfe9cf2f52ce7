import { describe, expect, it } from 'vitest';
import { isComplete, parseRegQuery, readHostOs } from '../../../ts-core/src/host/hostInfo.js';

// `reg query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"` on Windows Server 2016, abridged.
const recorded = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion',
  '    SystemRoot    REG_SZ    C:\\Windows',
  '    CurrentBuild    REG_SZ    14393',
  '    InstallationType    REG_SZ    Server Core',
  '    ProductName    REG_SZ    Windows Server 2016 Datacenter',
  '    UBR    REG_DWORD    0x1af1',
  '    InstallDate    REG_DWORD    0x5c1a2b3d',
  '    DigitalProductId    REG_BINARY    A40000000300000030',
  '',
].join('\r\n');

describe('parseRegQuery', () => {
  it('reads the named REG_SZ values and REG_DWORD values as hex digits', () => {
    const values = parseRegQuery(recorded, ['ProductName', 'InstallationType', 'UBR']);
    expect(Object.fromEntries(values)).toEqual({ ProductName: 'Windows Server 2016 Datacenter', InstallationType: 'Server Core', UBR: '1af1' });
    expect(Number.parseInt(values.get('UBR')!, 16)).toBe(6897);
  });

  it('ignores values it was not asked for and lines it does not understand', () => {
    const values = parseRegQuery(`${recorded}\n    UBR    REG_DWORD    not-a-number\n    ProductName REG_EXPAND_SZ x`, ['UBR', 'DigitalProductId']);
    expect(Object.fromEntries(values)).toEqual({ UBR: '1af1' });
  });
});

describe('readHostOs', () => {
  it.runIf(process.platform === 'linux')('describes a Linux host without a Windows build, revision or class', async () => {
    const hostOs = await readHostOs();
    expect(hostOs).toMatchObject({ platform: 'linux', build: null, revision: null, hostClass: null });
    expect(hostOs.name.length).toBeGreaterThan(0);
  });

  it('reads the host once per core process and hands out the same frozen answer', async () => {
    const first = await readHostOs();
    expect(await readHostOs()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});

describe('isComplete: which answers are kept for the core\'s lifetime', () => {
  const windows = { platform: 'win32', name: 'Windows Server 2016 Datacenter', version: '10.0.14393', build: 14393, revision: 6897, hostClass: 'Server' as const, architecture: 'x64' };

  it('keeps a Windows answer with build, revision and class, and any other platform\'s', () => {
    expect(isComplete(windows)).toBe(true);
    expect(isComplete({ ...windows, platform: 'linux', build: null, revision: null, hostClass: null })).toBe(true);
  });

  it.each(['build', 'revision', 'hostClass'] as const)('does not keep a Windows answer without its %s (reg.exe failed): it is read again', (gap) => {
    expect(isComplete({ ...windows, [gap]: null })).toBe(false);
  });
});
