import { describe, expect, it } from 'vitest';
import {
  containerInspectSchema,
  infoSchema,
  topSchema,
  versionSchema,
} from '../../../../ts-core/src/backends/docker/schemas.js';
import {
  nameFromArgs,
  parseGoDurationSeconds,
  parseHumanSize,
  parseLinuxTop,
  parsePsTime,
  parseRunscPs,
  parseWindowsCpu,
  parseWindowsTop,
} from '../../../../ts-core/src/backends/docker/top.js';
import { fixture, fixtureText } from './fixtures.js';

describe('response schemas on recorded and documented answers', () => {
  it('accepts the recorded Linux /version and /info', () => {
    expect(versionSchema.parse(fixture('linux-version.json'))).toMatchObject({ ApiVersion: '1.41', Os: 'linux' });
    const info = infoSchema.parse(fixture('linux-info.json'));
    expect(info.OSType).toBe('linux');
    expect(Object.keys(info.Runtimes)).toContain('runsc');
    expect(info.Runtimes.runsc?.path).toBe('/usr/bin/runsc');
  });

  it('accepts a Windows /info with Runtimes null and the default isolation', () => {
    const info = infoSchema.parse(fixture('windows-info.json'));
    expect(info).toMatchObject({ OSType: 'windows', Isolation: 'process', Runtimes: {} });
  });

  it('accepts inspect answers with null Cmd and Labels', () => {
    const legacy = containerInspectSchema.parse(fixture('windows-inspect-default.json'));
    expect(legacy.Config.Cmd).toEqual([]);
    expect(legacy.Config.Labels).toEqual({});
    expect(containerInspectSchema.parse(fixture('linux-inspect-runsc.json')).HostConfig.Runtime).toBe('runsc');
  });

  it('rejects an inspect answer whose id is not a container id', () => {
    const bad = { ...(fixture('linux-inspect-runc.json') as object), Id: '../../etc' };
    expect(containerInspectSchema.safeParse(bad).success).toBe(false);
  });
});

describe('Windows top', () => {
  it('parses CPU hh:mm:ss.fff, including hours past 99', () => {
    expect(parseWindowsCpu('00:00:01.250')).toBe(1.25);
    expect(parseWindowsCpu('101:02:03.456')).toBeCloseTo(101 * 3600 + 2 * 60 + 3.456, 6);
    expect(parseWindowsCpu('1:2:3')).toBeNull();
  });

  it('parses go-units sizes in decimal units', () => {
    expect(parseHumanSize('217.1kB')).toBe(217_100);
    expect(parseHumanSize('1.2MB')).toBe(1_200_000);
    expect(parseHumanSize('1.024GB')).toBe(1_024_000_000);
    expect(parseHumanSize('512B')).toBe(512);
    expect(parseHumanSize('12 parsecs')).toBeNull();
  });

  it('claims host PIDs for process isolation, where the kernel is shared', () => {
    const processes = parseWindowsTop(topSchema.parse(fixture('windows-top-process.json')), true);
    expect(processes).toHaveLength(7);
    expect(processes[5]).toMatchObject({ containerPid: 3964, name: 'PING', claimedHostPid: 3964, cpuSeconds: 1.25, workingSetBytes: 897_000 });
    expect(processes[0]).toMatchObject({ name: 'smss', workingSetBytes: 217_100 });
  });

  it('claims no host PID for Hyper-V isolation', () => {
    const processes = parseWindowsTop(topSchema.parse(fixture('windows-top-hyperv.json')), false);
    expect(processes.map((p) => p.claimedHostPid)).toEqual([null, null, null, null, null]);
    expect(processes.map((p) => p.name)).toEqual(['smss', 'csrss', 'CExecSvc', 'cmd', 'PING']);
  });

  it('refuses Linux titles and a PID that is not a number', () => {
    expect(() => parseWindowsTop(topSchema.parse(fixture('linux-top-runc.json')), true)).toThrow(/not the Windows titles/);
    const bad = { Titles: ['Name', 'PID', 'CPU', 'Private Working Set'], Processes: [['cmd.exe', '12a', '00:00:00.000', '1MB']] };
    expect(() => parseWindowsTop(bad, true)).toThrow(/'12a' is not a process id/);
  });
});

describe('Linux top', () => {
  it('parses the recorded answer to our ps_args', () => {
    const [sleep] = parseLinuxTop(topSchema.parse(fixture('linux-top-runc.json')));
    expect(sleep).toMatchObject({ name: 'sleep', commandLine: '/bin/sleep 1000', cpuSeconds: 0 });
    expect(sleep?.claimedHostPid).toBe(sleep?.containerPid);
    expect(sleep?.workingSetBytes).toBeGreaterThan(0);
  });

  it('parses Docker\'s default -ef titles as well', () => {
    const processes = parseLinuxTop(topSchema.parse(fixture('linux-top-runsc-wrong.json')));
    expect(processes[0]).toMatchObject({ claimedHostPid: 1, name: 'process_api' });
  });

  it('needs a PID column', () => {
    expect(() => parseLinuxTop({ Titles: ['USER', 'CMD'], Processes: [['root', 'sh']] })).toThrow(/no PID column/);
  });

  it('reads ps TIME and names from argv[0]', () => {
    expect(parsePsTime('00:01:02')).toBe(62);
    expect(parsePsTime('2-03:00:00')).toBe(2 * 86400 + 3 * 3600);
    expect(parsePsTime('01:05')).toBe(65);
    expect(nameFromArgs('/bin/sleep 1000')).toBe('sleep');
    expect(nameFromArgs('-sh')).toBe('sh');
  });
});

describe('runsc ps', () => {
  it('parses the recorded table into sandbox-local processes with no host PID', () => {
    expect(parseRunscPs(fixtureText('runsc-ps.txt'))).toEqual([
      expect.objectContaining({ containerPid: 1, name: 'sleep', claimedHostPid: null, cpuSeconds: 0 }),
    ]);
  });

  it('keeps a command with blanks whole and refuses a stranger header', () => {
    const text = 'UID PID PPID C TTY STIME TIME CMD\n0 7 1 0 ? 10:00 1.5s my prog\n';
    expect(parseRunscPs(text)[0]).toMatchObject({ containerPid: 7, name: 'my prog', cpuSeconds: 1.5 });
    expect(() => parseRunscPs('PID CMD EXTRA\n1 a b\n')).toThrow(/unexpected header/);
    expect(() => parseRunscPs('UID PID PPID C TTY STIME TIME CMD\n0 x 1 0 ? 10:00 0s sh\n')).toThrow(/not a process/);
  });

  it('reads Go durations', () => {
    expect(parseGoDurationSeconds('1m2.5s')).toBe(62.5);
    expect(parseGoDurationSeconds('10ms')).toBeCloseTo(0.01);
    expect(parseGoDurationSeconds('soon')).toBeNull();
  });
});
