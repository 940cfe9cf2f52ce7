import { CoreError } from '../protocol/errors.js';
import {
  MAX_POSSIBLE_BUILD,
  MAX_POSSIBLE_REVISION,
  MIN_POSSIBLE_BUILD,
  clientReleases,
  hostClassesOfBuild,
  serverHostOnlyReleases,
  serverReleases,
  type HostClass,
} from './windowsBuilds.js';

/** A container host's Windows version, however the caller knew it. */
export interface HostVersion {
  readonly build: number;
  /** The update revision (UBR); null when the source does not carry it reliably. */
  readonly revision: number | null;
  /** Server or Client; null when the build alone cannot tell (17763 is both Server 2019 and Windows 10 1809). */
  readonly class: HostClass | null;
  /** What the caller gave, for messages. */
  readonly input: string;
  readonly form: 'build' | 'version' | 'kernelVersion' | 'edition';
}

const acceptedForms =
  "Accepted: a build number (20348), a version (10.0.20348 or 10.0.20348.2527), Docker's KernelVersion ('10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)'), or an edition name ('Windows Server 2022', 'Windows 11 24H2', 'Windows 10 22H2').";

function invalid(input: string, why: string): CoreError {
  return new CoreError('InvalidHostVersion', `'${input}' is not a usable host version: ${why}. ${acceptedForms}`, { details: { hostVersion: input } });
}

function classOf(build: number): HostClass | null {
  const classes = hostClassesOfBuild(build);
  return classes.length === 1 ? classes[0]! : null;
}

function checkBuild(input: string, build: number, revision: number | null): void {
  if (!Number.isInteger(build) || build < MIN_POSSIBLE_BUILD || build > MAX_POSSIBLE_BUILD) {
    throw invalid(input, `build ${build} is impossible for Windows 10.0 (builds run from ${MIN_POSSIBLE_BUILD} to ${MAX_POSSIBLE_BUILD})`);
  }
  if (revision !== null && (!Number.isInteger(revision) || revision < 0 || revision > MAX_POSSIBLE_REVISION)) {
    throw invalid(input, `revision ${revision} is outside 0–${MAX_POSSIBLE_REVISION}`);
  }
}

/**
 * A host version in any of the forms an admin meets. A build that is
 * possible but not catalogued parses (the compatibility answer is then
 * "unknown"); a malformed or impossible one, or an edition name that is
 * not known, throws InvalidHostVersion naming the value.
 */
export function parseHostVersion(value: string | number): HostVersion {
  if (typeof value === 'number') {
    const input = String(value);
    checkBuild(input, value, null);
    return { build: value, revision: null, class: classOf(value), input, form: 'build' };
  }
  const input = value.trim();
  if (input.length === 0) throw invalid(value, 'it is empty');

  const digits = /^\d{1,6}$/.exec(input);
  if (digits) {
    const build = Number(input);
    checkBuild(input, build, null);
    return { build, revision: null, class: classOf(build), input, form: 'build' };
  }

  const version = /^(\d{1,3})\.(\d{1,3})\.(\d{1,6})(?:\.(\d{1,6}))?$/.exec(input);
  if (version) {
    if (version[1] !== '10' || version[2] !== '0') {
      throw invalid(input, `Windows containers need Windows 10.0 (Server 2016 or later, Windows 10 or 11), not ${version[1]}.${version[2]}`);
    }
    const build = Number(version[3]);
    const revision = version[4] === undefined ? null : Number(version[4]);
    checkBuild(input, build, revision);
    return { build, revision, class: classOf(build), input, form: 'version' };
  }

  // Docker's KernelVersion on Windows is "<major>.<minor> <build> (<BuildLabEx>)".
  // BuildLabEx keeps the release's lab build and revision, not the installed
  // update: its ".1" is not the host's revision (left unknown), and releases
  // shipped as enablement packages keep an older lab build (Windows 10 22H2:
  // "10.0 19045 (19041.1.amd64fre.vb_release…)", Windows 11 23H2: 22631 over
  // 22621). The first build is the host's; a lab build newer than it is corrupt.
  const kernel = /^(\d{1,3})\.(\d{1,3}) (\d{1,6}) \((\d{1,6})\.\d+\.[A-Za-z0-9_.]+(?:-\d+)?\)$/.exec(input);
  if (kernel) {
    if (kernel[1] !== '10' || kernel[2] !== '0') throw invalid(input, `Windows containers need Windows 10.0, not ${kernel[1]}.${kernel[2]}`);
    if (Number(kernel[4]) > Number(kernel[3])) throw invalid(input, `its BuildLabEx build ${kernel[4]} is newer than its build ${kernel[3]}`);
    const build = Number(kernel[3]);
    checkBuild(input, build, null);
    return { build, revision: null, class: classOf(build), input, form: 'kernelVersion' };
  }

  if (/^(microsoft\s+)?windows\b/i.test(input)) return parseHostEdition(input);
  throw invalid(input, 'it is neither a build, a version, a KernelVersion nor a Windows edition name');
}

/** Words that name a SKU, not a version: they may appear and are ignored. */
const skuWords = new Set([
  'standard', 'datacenter', 'essentials', 'azure', 'edition', 'core', 'server', 'evaluation',
  'home', 'pro', 'for', 'workstations', 'enterprise', 'education', 'iot', 'multi-session', 'n', 's', 'se',
]);

/** The first Windows 11 build: a Windows 10 caption with a build from here on (or a Windows 11 one before) is contradictory. */
const FIRST_WINDOWS_11_BUILD = 22000;

/**
 * An edition name or an OS caption as Windows writes it
 * ((Get-CimInstance Win32_OperatingSystem).Caption: 'Microsoft Windows 11 Pro',
 * 'Windows 10 Enterprise', 'Microsoft Windows Server 2022 Datacenter').
 * Captions of client editions name no version, so the build comes from
 * `build` (Test-IsolationCompatibility -HostBuild); the caption then gives
 * the class (Server or Client), which the build alone cannot for 17763, and
 * is checked against the build. A version in the name and a different
 * build are refused.
 */
export function parseHostEdition(name: string, build?: number): HostVersion {
  const input = name.trim();
  const words = input
    .toLowerCase()
    .replace(/[,:®™]|\(r\)|\(tm\)/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0 && w !== 'microsoft' && w !== 'version');
  const unknownEdition = (why: string) => {
    const known = [
      ...serverReleases.map((r) => r.name.replace(', version', '')),
      ...serverHostOnlyReleases.map((r) => r.name.replace(', version', '')),
      'Windows 10 <1809…22H2>',
      'Windows 11 <21H2…25H2>',
    ].join(', ');
    return new CoreError('InvalidHostVersion', `'${input}' is not an edition name this module knows: ${why}. Known: ${known}, or an OS caption such as 'Microsoft Windows 11 Pro' together with the build (-HostBuild). Or give the build alone (for example 10.0.20348).`, {
      details: { hostEdition: input },
    });
  };
  const withBuild = (found: HostVersion): HostVersion => {
    if (build !== undefined && build !== found.build) {
      throw new CoreError('InvalidHostVersion', `The edition '${input}' is build ${found.build}, but the build ${build} was given. Give one of them, or both consistently.`, {
        details: { hostEdition: input, hostBuild: build },
      });
    }
    return found;
  };
  /** A caption that names no version: the build says which, the caption which class. */
  const fromBuild = (hostClass: HostClass, family: 'server' | 'win10' | 'win11', missing: string): HostVersion => {
    if (build === undefined) throw unknownEdition(missing);
    checkBuild(input, build, null);
    if (family === 'win10' && build >= FIRST_WINDOWS_11_BUILD) throw unknownEdition(`build ${build} is Windows 11 or later, not Windows 10`);
    if (family === 'win11' && build < FIRST_WINDOWS_11_BUILD) throw unknownEdition(`build ${build} is older than Windows 11 (${FIRST_WINDOWS_11_BUILD})`);
    const classes = hostClassesOfBuild(build);
    if (classes.length > 0 && !classes.includes(hostClass)) throw unknownEdition(`build ${build} is a ${classes.join(' or ')} build, not a ${hostClass} one`);
    return { build, revision: null, class: hostClass, input, form: 'edition' };
  };
  if (words[0] !== 'windows' || words.length < 2) throw unknownEdition('it does not start with Windows');

  if (words[1] === 'server') {
    const rest = words.slice(2).filter((w) => w !== 'semi-annual' && w !== 'channel');
    const versionWords = rest.filter((w) => !skuWords.has(w));
    if (versionWords.length === 0) return fromBuild('Server', 'server', 'it names no release (2016, 2019, 2022, 2025, 1903, 1909, 2004, 20H2, 23H2); give the build with it');
    if (versionWords.length !== 1) throw unknownEdition(`'${versionWords.join(' ')}' is not one release`);
    const token = versionWords[0]!;
    const release = serverReleases.find((r) => r.name.toLowerCase().endsWith(` ${token}`) || (r.key === 'ws2019' && token === '1809'))
      ?? serverHostOnlyReleases.find((r) => r.version.toLowerCase() === token);
    if (!release) throw unknownEdition(`Windows Server ${token} is not in the catalogue`);
    return withBuild({ build: release.build, revision: null, class: 'Server', input, form: 'edition' });
  }

  if (words[1] === '10' || words[1] === '11') {
    const family = words[1] === '10' ? 'win10' : 'win11';
    const rest = words.slice(2);
    const ltscAt = rest.findIndex((w) => w === 'ltsc' || w === 'ltsb');
    if (ltscAt >= 0) {
      const year = rest[ltscAt + 1];
      const others = rest.filter((w, i) => i !== ltscAt && (year === undefined || !/^\d{4}$/.test(year) || i !== ltscAt + 1) && !skuWords.has(w));
      if (others.length > 0) throw unknownEdition(`'${others.join(' ')}' is not part of an edition name`);
      // Windows writes "Windows 10 Enterprise LTSC" without the year: the build says which.
      if (year === undefined || !/^\d{4}$/.test(year)) return fromBuild('Client', family, `Windows ${words[1]} LTSC without its year does not say which build; give the build with it`);
      const release = clientReleases.find((r) => r.family === family && r.ltsc === year);
      if (!release) throw unknownEdition(`Windows ${words[1]} LTSC ${year} is not in the catalogue`);
      return withBuild({ build: release.build, revision: null, class: 'Client', input, form: 'edition' });
    }
    const versionWords = rest.filter((w) => !skuWords.has(w));
    if (versionWords.length === 0) {
      return fromBuild('Client', family, `Windows ${words[1]} alone does not say which build; name the version, for example 'Windows ${words[1]} ${family === 'win10' ? '22H2' : '24H2'}', or give the build with it`);
    }
    if (versionWords.length > 1) throw unknownEdition(`'${versionWords.join(' ')}' is not one version`);
    const token = versionWords[0]!;
    const release = clientReleases.find((r) => r.family === family && r.version.toLowerCase() === token);
    if (!release) throw unknownEdition(`Windows ${words[1]} ${token} is not in the catalogue`);
    return withBuild({ build: release.build, revision: null, class: 'Client', input, form: 'edition' });
  }
  throw unknownEdition(`'Windows ${words[1]}' is neither Windows Server, Windows 10 nor Windows 11`);
}

/**
 * The host a caller described with a build and/or an edition or OS caption
 * (Test-IsolationCompatibility -HostBuild / -HostEdition): the build's
 * number and revision, the edition's class. A caption without a version
 * takes the build; the two must agree. Meant for the core's host
 * resolution (isolation.compatibility), so captions work wherever a host
 * is given.
 */
export function hostFromBuildAndEdition(given: { build?: string | number; edition?: string; class?: HostClass }): HostVersion {
  if (given.build === undefined && given.edition === undefined) {
    throw new CoreError('InvalidHostVersion', 'The host was given without a build or an edition. Give its build (10.0.20348) or its edition (Windows Server 2022).');
  }
  const fromBuild = given.build === undefined ? null : parseHostVersion(given.build);
  const fromEdition = given.edition === undefined ? null : parseHostEdition(given.edition, fromBuild?.build);
  if (fromEdition && given.class && given.class !== fromEdition.class) {
    throw new CoreError('InvalidHostVersion', `The edition '${fromEdition.input}' is a ${fromEdition.class} edition, but the class ${given.class} was given.`);
  }
  const parsed = (fromBuild ?? fromEdition)!;
  return {
    build: parsed.build,
    revision: fromBuild?.revision ?? null,
    class: given.class ?? fromEdition?.class ?? parsed.class,
    input: [fromBuild?.input, fromEdition?.input].filter(Boolean).join(' / '),
    form: fromEdition ? 'edition' : parsed.form,
  };
}
