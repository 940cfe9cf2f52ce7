/**
 * The Windows builds this module knows, as data. Everything that answers
 * "which Windows is this?" (image tags, host versions, edition names, the
 * compatibility table's rows and columns) reads this one list, so a build
 * that is not here is answered as unknown instead of being guessed.
 *
 * Sources:
 * - Microsoft, "Windows container version compatibility"
 *   (MicrosoftDocs/Virtualization-Documentation,
 *   virtualization/windowscontainers/deploy-containers/version-compatibility.md,
 *   ms.date 01/23/2025, file last changed in b9fb379f 2025-09-17, read at
 *   repository commit 77e0742a 2026-08-07): LTSC builds, the build/revision
 *   rules, the `1809-KB4493509` and `10.0.17763.437` tag forms.
 * - The same page at revision 64b6d114 (2022-03-03), the last one that still
 *   listed the Semi-Annual Channel releases 1903, 1909, 2004 and 20H2.
 * - Windows Server, version 23H2 (build 25398, Annual Channel, a container
 *   host only: Microsoft publishes no 23H2 base image) from Microsoft's
 *   Windows Server release information; the compatibility page has no table
 *   for it, so its answers come from the page's rules.
 * - Windows 10/11 client builds from Microsoft's release information
 *   (Windows 10 1809 = 17763 … 22H2 = 19045; Windows 11 21H2 = 22000,
 *   22H2 = 22621, 23H2 = 22631, 24H2 = 26100, 25H2 = 26200). Windows 10
 *   releases before 1809 are left out on purpose: the hcs backend needs
 *   1809 or later and the page no longer describes them.
 */

import type { HostClass } from './defaults.js';

export type { HostClass };

/** A column key of the compatibility table: which kind of host. */
export type HostFamily =
  | 'ws2016' | 'ws2019' | 'ws1903' | 'ws1909' | 'ws2004' | 'ws20H2' | 'ws2022' | 'ws23H2' | 'ws2025'
  | 'win10' | 'win11';

/** A row key of the compatibility table: which Windows Server base image. */
export type ImageRelease = 'ws2016' | 'ws2019' | 'ws1903' | 'ws1909' | 'ws2004' | 'ws20H2' | 'ws2022' | 'ws2025';

export interface WindowsServerRelease {
  readonly key: ImageRelease;
  readonly build: number;
  /** As an admin says it: "Windows Server 2022", "Windows Server, version 1909". */
  readonly name: string;
  /** The tag an admin would pull for it: "ltsc2022", "1909". */
  readonly tag: string;
  /** Every MCR tag (base part, before -KBnnnnnnn / -amd64) that means this release. */
  readonly tags: readonly string[];
  readonly channel: 'LTSC' | 'SAC';
  /**
   * Windows Server 2016 only: process isolation also needs the host's and
   * the image's revision to match ("Windows Server 2016 Restrictions").
   */
  readonly revisionMustMatch: boolean;
}

export interface WindowsClientRelease {
  readonly family: 'win10' | 'win11';
  readonly build: number;
  /** "22H2", "1809". */
  readonly version: string;
  /** "Windows 11 24H2". */
  readonly name: string;
  /** Long-Term Servicing Channel editions on this build ("2019" for Windows 10 Enterprise LTSC 2019). */
  readonly ltsc?: string;
}

/** Windows Server releases: both hosts and base images. Ordered by build. */
export const serverReleases: readonly WindowsServerRelease[] = [
  { key: 'ws2016', build: 14393, name: 'Windows Server 2016', tag: 'ltsc2016', tags: ['ltsc2016', 'sac2016', '1607'], channel: 'LTSC', revisionMustMatch: true },
  { key: 'ws2019', build: 17763, name: 'Windows Server 2019', tag: 'ltsc2019', tags: ['ltsc2019', '1809'], channel: 'LTSC', revisionMustMatch: false },
  { key: 'ws1903', build: 18362, name: 'Windows Server, version 1903', tag: '1903', tags: ['1903'], channel: 'SAC', revisionMustMatch: false },
  { key: 'ws1909', build: 18363, name: 'Windows Server, version 1909', tag: '1909', tags: ['1909'], channel: 'SAC', revisionMustMatch: false },
  { key: 'ws2004', build: 19041, name: 'Windows Server, version 2004', tag: '2004', tags: ['2004'], channel: 'SAC', revisionMustMatch: false },
  { key: 'ws20H2', build: 19042, name: 'Windows Server, version 20H2', tag: '20H2', tags: ['20H2'], channel: 'SAC', revisionMustMatch: false },
  { key: 'ws2022', build: 20348, name: 'Windows Server 2022', tag: 'ltsc2022', tags: ['ltsc2022'], channel: 'LTSC', revisionMustMatch: false },
  { key: 'ws2025', build: 26100, name: 'Windows Server 2025', tag: 'ltsc2025', tags: ['ltsc2025'], channel: 'LTSC', revisionMustMatch: false },
];

/** Windows Server releases that are container hosts but have no base image of their own. */
export interface WindowsServerHostOnlyRelease {
  readonly key: 'ws23H2';
  readonly build: number;
  readonly name: string;
  /** The release token an admin writes after "Windows Server" ("23H2"). */
  readonly version: string;
}

export const serverHostOnlyReleases: readonly WindowsServerHostOnlyRelease[] = [
  { key: 'ws23H2', build: 25398, name: 'Windows Server, version 23H2', version: '23H2' },
];

/** Windows 10 and 11 releases that can be container hosts. Ordered by build. */
export const clientReleases: readonly WindowsClientRelease[] = [
  { family: 'win10', build: 17763, version: '1809', name: 'Windows 10 1809', ltsc: '2019' },
  { family: 'win10', build: 18362, version: '1903', name: 'Windows 10 1903' },
  { family: 'win10', build: 18363, version: '1909', name: 'Windows 10 1909' },
  { family: 'win10', build: 19041, version: '2004', name: 'Windows 10 2004' },
  { family: 'win10', build: 19042, version: '20H2', name: 'Windows 10 20H2' },
  { family: 'win10', build: 19043, version: '21H1', name: 'Windows 10 21H1' },
  { family: 'win10', build: 19044, version: '21H2', name: 'Windows 10 21H2', ltsc: '2021' },
  { family: 'win10', build: 19045, version: '22H2', name: 'Windows 10 22H2' },
  { family: 'win11', build: 22000, version: '21H2', name: 'Windows 11 21H2' },
  { family: 'win11', build: 22621, version: '22H2', name: 'Windows 11 22H2' },
  { family: 'win11', build: 22631, version: '23H2', name: 'Windows 11 23H2' },
  { family: 'win11', build: 26100, version: '24H2', name: 'Windows 11 24H2', ltsc: '2024' },
  { family: 'win11', build: 26200, version: '25H2', name: 'Windows 11 25H2' },
];

/**
 * Windows 10.0 builds start at 10240; build numbers are 16-bit. Anything
 * outside is not a Windows 10/11/Server 2016+ build at all (rejected as
 * impossible); anything inside but not catalogued is answered as unknown.
 */
export const MIN_POSSIBLE_BUILD = 10240;
export const MAX_POSSIBLE_BUILD = 65535;
/** Revisions (UBR) are 16-bit as well in the file-version form 10.0.B.R. */
export const MAX_POSSIBLE_REVISION = 65535;

export function serverReleaseByBuild(build: number): WindowsServerRelease | undefined {
  return serverReleases.find((r) => r.build === build);
}

export function serverReleaseByKey(key: ImageRelease): WindowsServerRelease {
  const release = serverReleases.find((r) => r.key === key);
  if (!release) throw new Error(`no server release ${key}`);
  return release;
}

export function clientReleaseByBuild(build: number): WindowsClientRelease | undefined {
  return clientReleases.find((r) => r.build === build);
}

/** The base tag (ltsc2022, 1809, 20H2, case-insensitive) → its release. */
export function serverReleaseByTag(tag: string): WindowsServerRelease | undefined {
  const lower = tag.toLowerCase();
  return serverReleases.find((r) => r.tags.some((t) => t.toLowerCase() === lower));
}

/** A Windows Server host release (with or without a base image of its own) by build. */
export function serverHostByBuild(build: number): { key: HostFamily; name: string } | undefined {
  return serverReleaseByBuild(build) ?? serverHostOnlyReleases.find((r) => r.build === build);
}

/** Which classes a build number can be a host of: [] when not catalogued. */
export function hostClassesOfBuild(build: number): HostClass[] {
  const classes: HostClass[] = [];
  if (serverHostByBuild(build)) classes.push('Server');
  if (clientReleaseByBuild(build)) classes.push('Client');
  return classes;
}

export interface HostRelease {
  readonly family: HostFamily;
  readonly build: number;
  readonly class: HostClass;
  /** "Windows Server 2022", "Windows 11 24H2". */
  readonly name: string;
}

/** The catalogued host a (build, class) pair is, or undefined. */
export function hostRelease(build: number, hostClass: HostClass): HostRelease | undefined {
  if (hostClass === 'Server') {
    const release = serverHostByBuild(build);
    return release && { family: release.key, build, class: 'Server', name: release.name };
  }
  const release = clientReleaseByBuild(build);
  return release && { family: release.family, build, class: 'Client', name: release.name };
}

/** "ltsc2022 (20348)"; "build 16299" when the build is not catalogued. */
export function describeImageBuild(build: number): string {
  const release = serverReleaseByBuild(build);
  if (!release) return `build ${build}`;
  return `${release.tag} (${build})`;
}
