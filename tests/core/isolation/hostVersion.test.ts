import { describe, expect, it } from 'vitest';
import { hostFromBuildAndEdition, parseHostEdition, parseHostVersion } from '../../../ts-core/src/isolation/hostVersion.js';

describe('parseHostVersion', () => {
  it.each([
    // value, build, revision, class, form
    [20348, 20348, null, 'Server', 'build'],
    ['20348', 20348, null, 'Server', 'build'],
    ['10.0.20348', 20348, null, 'Server', 'version'],
    ['10.0.20348.2527', 20348, 2527, 'Server', 'version'],
    ['10.0.14393.1914', 14393, 1914, 'Server', 'version'],
    ['10.0.22631.4460', 22631, 4460, 'Client', 'version'],
    ['19045', 19045, null, 'Client', 'build'],
    // Builds both a Server and a client release have: the class stays unknown.
    ['10.0.17763', 17763, null, null, 'version'],
    ['26100', 26100, null, null, 'build'],
    // Possible but not catalogued: parses; the compatibility answer is then unknown.
    ['10.0.16299.125', 16299, 125, null, 'version'],
    // Docker's KernelVersion: the revision in BuildLabEx is the release's, not the installed update's.
    ['10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)', 20348, null, 'Server', 'kernelVersion'],
    ['10.0 14393 (14393.1715.amd64fre.rs1_release_inmarket.170906-1810)', 14393, null, 'Server', 'kernelVersion'],
    ['10.0 16299 (16299.0.amd64fre.rs3_release.170922-1354)', 16299, null, null, 'kernelVersion'],
    // Enablement-package releases keep the BuildLabEx of the release they sit on.
    ['10.0 19045 (19041.1.amd64fre.vb_release.191206-1406)', 19045, null, 'Client', 'kernelVersion'],
    ['10.0 22631 (22621.1.amd64fre.ni_release.220506-1250)', 22631, null, 'Client', 'kernelVersion'],
    ['10.0 26200 (26100.1.amd64fre.ge_release.240331-1435)', 26200, null, 'Client', 'kernelVersion'],
    ['Windows Server 2022', 20348, null, 'Server', 'edition'],
    ['Windows 11 24H2', 26100, null, 'Client', 'edition'],
  ] as const)('Should read %j', (value, build, revision, hostClass, form) => {
    expect(parseHostVersion(value)).toMatchObject({ build, revision, class: hostClass, form });
  });

  it.each([
    ['', 'empty'],
    ['abc', 'neither a build'],
    ['6.3.9600', 'need Windows 10.0'],
    ['10.1.20348', 'need Windows 10.0'],
    ['10.0.9600', 'impossible'],
    ['10.0.99999', 'impossible'],
    ['100000', 'impossible'],
    ['10.0.20348.99999', 'revision 99999'],
    ['10.0 17763 (20348.1.amd64fre.fe_release.210507-1500)', 'newer than its build'],
    ['10.0.20348.', 'neither a build'],
  ])('Should reject %j (%s) with InvalidHostVersion naming it', (value, why) => {
    const parsing = () => parseHostVersion(value);
    expect(parsing).toThrow(expect.objectContaining({ code: 'InvalidHostVersion' }));
    expect(parsing).toThrow(`'${value.trim()}'`);
    expect(parsing).toThrow(why);
    expect(parsing).toThrow('Accepted:');
  });

  it.each([0, -1, 20348.5, 70000])('Should reject the number %d', (value) => {
    expect(() => parseHostVersion(value)).toThrow(expect.objectContaining({ code: 'InvalidHostVersion' }));
  });
});

describe('parseHostEdition', () => {
  it.each([
    ['Windows Server 2016', 14393, 'Server'],
    ['Windows Server 2019 Datacenter', 17763, 'Server'],
    ['Windows Server 2022 Standard', 20348, 'Server'],
    ['Windows Server 2022 Datacenter: Azure Edition', 20348, 'Server'],
    ['Windows Server 2025', 26100, 'Server'],
    ['Microsoft Windows Server 2025 Datacenter', 26100, 'Server'],
    ['Windows Server, version 1909', 18363, 'Server'],
    ['Windows Server 20H2', 19042, 'Server'],
    ['windows server 1809', 17763, 'Server'],
    ['Windows 10 1809', 17763, 'Client'],
    ['Windows 10 Pro 22H2', 19045, 'Client'],
    ['Windows 10 Enterprise, version 21H2', 19044, 'Client'],
    ['Windows 10 Enterprise LTSC 2019', 17763, 'Client'],
    ['Windows 10 Enterprise LTSC 2021', 19044, 'Client'],
    ['Windows 11 21H2', 22000, 'Client'],
    ['Windows 11 22H2', 22621, 'Client'],
    ['Windows 11 Pro 23H2', 22631, 'Client'],
    ['Windows 11 24H2', 26100, 'Client'],
    ['Windows 11 Enterprise LTSC 2024', 26100, 'Client'],
    ['Windows 11 25H2', 26200, 'Client'],
  ] as const)('Should read %j', (name, build, hostClass) => {
    expect(parseHostEdition(name)).toMatchObject({ build, class: hostClass, form: 'edition' });
  });

  it.each([
    ['Windows 11', 'does not say which build'],
    ['Windows 10 Pro', 'does not say which build'],
    ['Windows 11 26H2', 'not in the catalogue'],
    ['Windows Server 2012 R2', 'is not one release'],
    ['Windows Server 2008', 'not in the catalogue'],
    ['Windows Server', 'names no release'],
    ['Windows 8.1', 'neither Windows Server'],
    ['Windows 10 LTSC 2015', 'not in the catalogue'],
    ['Windows 11 24H2 Turbo', 'is not one version'],
    ['Ubuntu 22.04', 'does not start with Windows'],
  ])('Should reject %j (%s) with InvalidHostVersion naming it', (name, why) => {
    const parsing = () => parseHostEdition(name);
    expect(parsing).toThrow(expect.objectContaining({ code: 'InvalidHostVersion' }));
    expect(parsing).toThrow(`'${name}'`);
    expect(parsing).toThrow(why);
    expect(parsing).toThrow('Known:');
  });
});

describe('OS captions as Windows writes them ((Get-CimInstance Win32_OperatingSystem).Caption), with a build', () => {
  it.each([
    ['Microsoft Windows 11 Pro', 22631, 'Client'],
    ['Microsoft Windows 11 Enterprise', 26100, 'Client'],
    ['Windows 10 Enterprise', 19045, 'Client'],
    ['Microsoft Windows 10 Pro', 17763, 'Client'],
    ['Microsoft Windows 10 Enterprise LTSC', 19044, 'Client'],
    ['Microsoft Windows Server 2022 Datacenter', 20348, 'Server'],
    ['Microsoft Windows Server 2019 Standard', 17763, 'Server'],
    ['Microsoft Windows Server Datacenter', 25398, 'Server'],
    ['Microsoft® Windows Server® 2016 Datacenter', 14393, 'Server'],
  ] as const)("reads '%s' with build %i as a %s host of that build", (caption, build, hostClass) => {
    expect(parseHostEdition(caption, build)).toMatchObject({ build, class: hostClass, form: 'edition', input: caption });
  });

  it('tells Windows 10 1809 from Windows Server 2019 on the build both share (17763)', () => {
    expect(parseHostVersion('10.0.17763').class).toBeNull();
    expect(hostFromBuildAndEdition({ build: '10.0.17763.5458', edition: 'Windows 10 Enterprise' })).toMatchObject({ build: 17763, revision: 5458, class: 'Client' });
    expect(hostFromBuildAndEdition({ build: '10.0.17763', edition: 'Microsoft Windows Server 2019 Datacenter' })).toMatchObject({ build: 17763, class: 'Server' });
  });

  it('still needs the build when the caption names no version, and says how to give it', () => {
    const parsing = () => parseHostEdition('Microsoft Windows 11 Pro');
    expect(parsing).toThrow(expect.objectContaining({ code: 'InvalidHostVersion' }));
    expect(parsing).toThrow('give the build with it');
  });

  it('refuses a caption that contradicts the build', () => {
    expect(() => parseHostEdition('Microsoft Windows 11 Pro', 19045)).toThrow('older than Windows 11');
    expect(() => parseHostEdition('Windows 10 Enterprise', 22631)).toThrow('not Windows 10');
    expect(() => parseHostEdition('Microsoft Windows Server Datacenter', 22631)).toThrow('is a Client build, not a Server one');
    expect(() => parseHostEdition('Windows 10 Pro', 20348)).toThrow('is a Server build, not a Client one');
    expect(() => parseHostEdition('Microsoft Windows Server 2022 Datacenter', 17763)).toThrow(/is build 20348, but the build 17763 was given/);
    expect(() => hostFromBuildAndEdition({ build: 17763, edition: 'Windows 10 Pro', class: 'Server' })).toThrow('is a Client edition');
  });
});

describe('Windows Server, version 23H2 (25398)', () => {
  it('is a Server host by its build and by its name', () => {
    expect(parseHostVersion('10.0.25398.1189')).toMatchObject({ build: 25398, revision: 1189, class: 'Server' });
    expect(parseHostEdition('Windows Server, version 23H2')).toMatchObject({ build: 25398, class: 'Server' });
  });
});
