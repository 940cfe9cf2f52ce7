import { CoreError } from '../protocol/errors.js';
import {
  MAX_POSSIBLE_BUILD,
  MAX_POSSIBLE_REVISION,
  MIN_POSSIBLE_BUILD,
  clientReleases,
  hostClassesOfBuild,
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

/** "Windows Server 2022 Datacenter", "Windows 11 Pro, version 24H2", "Windows 10 Enterprise LTSC 2021". */
export function parseHostEdition(name: string): HostVersion {
  const input = name.trim();
  const words = input
    .toLowerCase()
    .replace(/[,:]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0 && w !== 'microsoft' && w !== 'version');
  const unknownEdition = (why: string) => {
    const known = [
      ...serverReleases.map((r) => r.name.replace(', version', '')),
      'Windows 10 <1809…22H2>',
      'Windows 11 <21H2…25H2>',
    ].join(', ');
    return new CoreError('InvalidHostVersion', `'${input}' is not an edition name this module knows: ${why}. Known: ${known}. Or give the build (for example 10.0.20348).`, {
      details: { hostEdition: input },
    });
  };
  if (words[0] !== 'windows' || words.length < 2) throw unknownEdition('it does not start with Windows');

  if (words[1] === 'server') {
    const rest = words.slice(2).filter((w) => w !== 'semi-annual' && w !== 'channel');
    const versionWords = rest.filter((w) => !skuWords.has(w));
    if (versionWords.length !== 1) throw unknownEdition(versionWords.length === 0 ? 'it names no release (2016, 2019, 2022, 2025, 1903, 1909, 2004, 20H2)' : `'${versionWords.join(' ')}' is not one release`);
    const token = versionWords[0]!;
    const release = serverReleases.find((r) => r.name.toLowerCase().endsWith(` ${token}`) || (r.key === 'ws2019' && token === '1809'));
    if (!release) throw unknownEdition(`Windows Server ${token} is not in the catalogue`);
    return { build: release.build, revision: null, class: 'Server', input, form: 'edition' };
  }

  if (words[1] === '10' || words[1] === '11') {
    const family = words[1] === '10' ? 'win10' : 'win11';
    const rest = words.slice(2);
    const ltscAt = rest.findIndex((w) => w === 'ltsc' || w === 'ltsb');
    if (ltscAt >= 0) {
      const year = rest[ltscAt + 1];
      const release = clientReleases.find((r) => r.family === family && r.ltsc === year);
      if (!release) throw unknownEdition(`Windows ${words[1]} LTSC ${year ?? ''} is not in the catalogue`.trim());
      const others = rest.filter((w, i) => i !== ltscAt && i !== ltscAt + 1 && !skuWords.has(w));
      if (others.length > 0) throw unknownEdition(`'${others.join(' ')}' is not part of an edition name`);
      return { build: release.build, revision: null, class: 'Client', input, form: 'edition' };
    }
    const versionWords = rest.filter((w) => !skuWords.has(w));
    if (versionWords.length === 0) throw unknownEdition(`Windows ${words[1]} alone does not say which build; name the version, for example 'Windows ${words[1]} ${family === 'win10' ? '22H2' : '24H2'}'`);
    if (versionWords.length > 1) throw unknownEdition(`'${versionWords.join(' ')}' is not one version`);
    const token = versionWords[0]!;
    const release = clientReleases.find((r) => r.family === family && r.version.toLowerCase() === token);
    if (!release) throw unknownEdition(`Windows ${words[1]} ${token} is not in the catalogue`);
    return { build: release.build, revision: null, class: 'Client', input, form: 'edition' };
  }
  throw unknownEdition(`'Windows ${words[1]}' is neither Windows Server, Windows 10 nor Windows 11`);
}
