import { describe, expect, it } from 'vitest';
import { parseImageBuild, parseImageReference } from '../../../ts-core/src/isolation/imageReference.js';
import { serverReleases } from '../../../ts-core/src/isolation/windowsBuilds.js';

const digest = 'a'.repeat(64);

describe('parseImageReference', () => {
  it.each([
    // reference, domain, path, tag, windows, build, revision
    ['mcr.microsoft.com/windows/servercore:ltsc2022', 'mcr.microsoft.com', 'windows/servercore', 'ltsc2022', true, 20348, null],
    ['mcr.microsoft.com/windows/servercore:ltsc2025', 'mcr.microsoft.com', 'windows/servercore', 'ltsc2025', true, 26100, null],
    ['mcr.microsoft.com/windows/servercore:ltsc2016', 'mcr.microsoft.com', 'windows/servercore', 'ltsc2016', true, 14393, null],
    ['mcr.microsoft.com/windows/nanoserver:1809', 'mcr.microsoft.com', 'windows/nanoserver', '1809', true, 17763, null],
    ['mcr.microsoft.com/windows/nanoserver:1809-KB4493509', 'mcr.microsoft.com', 'windows/nanoserver', '1809-KB4493509', true, 17763, null],
    ['mcr.microsoft.com/windows/nanoserver:10.0.17763.437', 'mcr.microsoft.com', 'windows/nanoserver', '10.0.17763.437', true, 17763, 437],
    ['mcr.microsoft.com/windows/servercore:10.0.17763.5458', 'mcr.microsoft.com', 'windows/servercore', '10.0.17763.5458', true, 17763, 5458],
    ['mcr.microsoft.com/windows/servercore:ltsc2019-amd64', 'mcr.microsoft.com', 'windows/servercore', 'ltsc2019-amd64', true, 17763, null],
    ['mcr.microsoft.com/windows/servercore:20H2', 'mcr.microsoft.com', 'windows/servercore', '20H2', true, 19042, null],
    ['mcr.microsoft.com/windows/servercore:1909', 'mcr.microsoft.com', 'windows/servercore', '1909', true, 18363, null],
    ['mcr.microsoft.com/windows/server:ltsc2022', 'mcr.microsoft.com', 'windows/server', 'ltsc2022', true, 20348, null],
    ['mcr.microsoft.com/windows:ltsc2019', 'mcr.microsoft.com', 'windows', 'ltsc2019', true, 17763, null],
    ['microsoft/windowsservercore:10.0.14393.1944', 'docker.io', 'microsoft/windowsservercore', '10.0.14393.1944', true, 14393, 1944],
    // Derived images name their base at the end of the tag.
    ['mcr.microsoft.com/dotnet/framework/runtime:4.8-windowsservercore-ltsc2022', 'mcr.microsoft.com', 'dotnet/framework/runtime', '4.8-windowsservercore-ltsc2022', true, 20348, null],
    ['mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019', 'mcr.microsoft.com', 'windows/servercore/iis', 'windowsservercore-ltsc2019', true, 17763, null],
    ['mcr.microsoft.com/powershell:lts-nanoserver-1809', 'mcr.microsoft.com', 'powershell', 'lts-nanoserver-1809', true, 17763, null],
    // Odd but valid references.
    ['localhost:5000/team/app:ltsc2022', 'localhost:5000', 'team/app', 'ltsc2022', null, null, null],
    ['localhost/app', 'localhost', 'app', null, null, null, null],
    ['busybox', 'docker.io', 'library/busybox', null, null, null, null],
    ['busybox:1.36', 'docker.io', 'library/busybox', '1.36', null, null, null],
    ['my-registry.example.com:443/a__b/c.d/e--f:v1.0_rc-2', 'my-registry.example.com:443', 'a__b/c.d/e--f', 'v1.0_rc-2', null, null, null],
    ['[::1]:5000/app:latest', '[::1]:5000', 'app', 'latest', null, null, null],
    ['Registry.Example.com/app', 'Registry.Example.com', 'app', null, null, null, null],
    [`mcr.microsoft.com/windows/servercore@sha256:${digest}`, 'mcr.microsoft.com', 'windows/servercore', null, true, null, null],
    [`mcr.microsoft.com/windows/servercore:ltsc2022@sha256:${digest}`, 'mcr.microsoft.com', 'windows/servercore', 'ltsc2022', true, 20348, null],
  ] as const)('Should parse %s', (reference, domain, path, tag, windows, build, revision) => {
    const parsed = parseImageReference(reference);
    expect(parsed).toMatchObject({ reference, domain, path, tag, windows, build, revision });
    expect(parsed.buildSource).toBe(build === null ? null : 'tag');
    if (build === null) expect(parsed.buildNote).toMatch(/\w/);
  });

  it('Should keep the digest and leave the build unknown unless given', () => {
    const parsed = parseImageReference(`mcr.microsoft.com/windows/servercore@sha256:${digest}`);
    expect(parsed.digest).toBe(`sha256:${digest}`);
    expect(parsed.build).toBeNull();
    const given = parseImageReference(`mcr.microsoft.com/windows/servercore@sha256:${digest}`, { imageBuild: '10.0.20348.2527' });
    expect(given).toMatchObject({ build: 20348, revision: 2527, release: 'ws2022', buildSource: 'given', windows: true });
  });

  it('Should let a given build override the tag (the image config is the truth)', () => {
    expect(parseImageReference('contoso/app:v1', { imageBuild: 17763 })).toMatchObject({ build: 17763, release: 'ws2019', buildSource: 'given' });
  });

  it('Should read a base image with no tag as latest, whose build is unknown', () => {
    const parsed = parseImageReference('mcr.microsoft.com/windows/servercore');
    expect(parsed).toMatchObject({ windows: true, build: null, tag: null });
    expect(parsed.buildNote).toContain('latest');
  });

  it('Should explain a digest reference as naming no build, never as latest, and point to -ImageBuild', () => {
    const parsed = parseImageReference(`mcr.microsoft.com/windows/servercore@sha256:${'a'.repeat(64)}`);
    expect(parsed).toMatchObject({ windows: true, build: null, tag: null });
    expect(parsed.buildNote).not.toContain('latest');
    expect(parsed.buildNote).toContain('by digest');
    expect(parsed.buildNote).toContain('-ImageBuild');
  });

  it('Should keep an uncatalogued build from a version tag (1709 = 16299) as that build', () => {
    expect(parseImageReference('mcr.microsoft.com/windows/servercore:10.0.16299.125')).toMatchObject({ build: 16299, release: null });
  });

  it('Should not guess a build from a base tag it does not know', () => {
    const parsed = parseImageReference('mcr.microsoft.com/windows/nanoserver:1709');
    expect(parsed).toMatchObject({ windows: true, build: null });
    expect(parsed.buildNote).toContain("'1709'");
  });

  it.each([
    ['', 'empty'],
    ['Busybox', 'lower case'],
    ['mcr.microsoft.com/Windows/ServerCore:ltsc2022', 'lower case'],
    ['mcr.microsoft.com/windows/servercore:', 'tag'],
    ['mcr.microsoft.com/windows/servercore:-bad', 'tag'],
    [`mcr.microsoft.com/windows/servercore:${'x'.repeat(129)}`, 'tag'],
    ['mcr.microsoft.com/windows/servercore@sha256:abc', 'digest'],
    [`mcr.microsoft.com/windows/servercore@sha256:${'A'.repeat(64)}`, 'digest'],
    [`mcr.microsoft.com/windows/servercore@md5:${'a'.repeat(32)}`, 'digest'],
    ['mcr.microsoft.com/', 'no repository name'],
    ['app//x', 'path component'],
    ['-app', 'path component'],
    ['app_', 'path component'],
    ['bad_host:5000/app', "registry 'bad_host:5000'"],
    ['mcr.microsoft.com/windows/servercore:10.0.99999.1', 'build 99999'],
    ['mcr.microsoft.com/windows/servercore:10.0.9600.1', 'build 9600'],
    ['mcr.microsoft.com/windows/servercore:10.0.17763.999999', 'revision'],
    ['mcr.microsoft.com/windows/servercore :ltsc2022', 'white space'],
    [`${'a'.repeat(256)}`, 'longer than 255'],
  ])('Should reject %j, saying why (%s)', (reference, why) => {
    const parsing = () => parseImageReference(reference);
    expect(parsing).toThrow(expect.objectContaining({ code: 'InvalidImageReference' }));
    expect(parsing).toThrow(`'${reference}'`);
    expect(parsing).toThrow(why);
    expect(parsing).toThrow('Expected a reference like');
  });

  it('Should word an upper-case repository error exactly', () => {
    expect(() => parseImageReference('Busybox')).toThrowErrorMatchingInlineSnapshot(
      `[CoreError: 'Busybox' is not a valid image reference: the repository name 'Busybox' has upper case letters; repository names must be lower case. Expected a reference like mcr.microsoft.com/windows/servercore:ltsc2022, name:tag, name@sha256:<64 hex digits> or registry:port/path/name:tag (repository names are lower case).]`,
    );
  });
});

describe('parseImageBuild', () => {
  it.each([
    [20348, 20348, null],
    ['20348', 20348, null],
    ['20348.2527', 20348, 2527],
    ['10.0.20348', 20348, null],
    ['10.0.20348.2527', 20348, 2527],
    [' 10.0.17763.5458 ', 17763, 5458],
  ] as const)('Should read %j', (value, build, revision) => {
    expect(parseImageBuild(value)).toEqual({ build, revision });
  });

  it.each(['', 'ltsc2022', '6.3.9600', '10.0.abc', '10.1.20348', '99999', 0, -1, 1.5, '10.0.20348.70000'])('Should reject %j with InvalidImageReference', (value) => {
    expect(() => parseImageBuild(value as string | number)).toThrow(expect.objectContaining({
      code: 'InvalidImageReference',
      message: expect.stringContaining(`'${String(value).trim()}'`),
    }));
  });
});

describe('catalogue tags', () => {
  it.each(serverReleases.flatMap((r) => r.tags.map((tag) => [tag, r.build] as const)))('Should read servercore:%s as build %i, with -KB and -amd64 suffixes too', (tag, build) => {
    for (const suffix of ['', '-KB5034127', '-amd64', '-KB5034127-amd64']) {
      expect(parseImageReference(`mcr.microsoft.com/windows/servercore:${tag}${suffix}`).build).toBe(build);
    }
  });
});
