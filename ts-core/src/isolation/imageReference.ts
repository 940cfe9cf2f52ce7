import { CoreError } from '../protocol/errors.js';
import {
  MAX_POSSIBLE_BUILD,
  MAX_POSSIBLE_REVISION,
  MIN_POSSIBLE_BUILD,
  serverReleaseByBuild,
  serverReleaseByTag,
  serverReleases,
  type ImageRelease,
} from './windowsBuilds.js';

/**
 * Image references parsed by the grammar of distribution/reference (the one
 * docker, containerd and every registry client use), then read for the
 * Windows build the image is based on.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain [ ":" port ] "/" ] path-component ( "/" path-component )*
 *   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag       := [\w][\w.-]{0,127}
 *
 * The first component is a registry domain when it has a "." or ":" or is
 * "localhost" (or has upper case, which only a domain may have) — docker's
 * own rule, so `localhost:5000/team/app` and `busybox` mean what docker means.
 */

export interface ImageReference {
  /** As the user wrote it. */
  readonly reference: string;
  /** Registry; "docker.io" when none was written. */
  readonly domain: string;
  /** Repository path on that registry ("windows/servercore", "library/busybox"). */
  readonly path: string;
  /** The tag as written; null when none (docker then pulls "latest"). */
  readonly tag: string | null;
  readonly digest: string | null;
  /**
   * true: a Windows base image, or an image whose tag names its Windows base
   * ("4.8-windowsservercore-ltsc2022"). null: nothing in the reference says
   * (busybox, a private image): it may be a Linux image or a Windows one.
   */
  readonly windows: boolean | null;
  readonly build: number | null;
  readonly revision: number | null;
  readonly release: ImageRelease | null;
  /** Where the build came from; null when unknown. */
  readonly buildSource: 'tag' | 'given' | null;
  /** Why the build is unknown, in words; null when known. */
  readonly buildNote: string | null;
}

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|-+)';
const pathComponentRe = new RegExp(`^${alnum}(?:${separator}${alnum})*$`);
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainRe = new RegExp(`^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`);
const tagRe = /^[\w][\w.-]{0,127}$/;
/** Digest algorithms docker accepts, with their hex lengths. */
const digestHexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const MAX_NAME_LENGTH = 255;

/** Repositories that are Windows base images: their tag is the release. */
const windowsBaseRepositories = new Set([
  'mcr.microsoft.com/windows/servercore',
  'mcr.microsoft.com/windows/nanoserver',
  'mcr.microsoft.com/windows/server',
  'mcr.microsoft.com/windows',
  // The Docker Hub names Microsoft used before MCR.
  'docker.io/microsoft/windowsservercore',
  'docker.io/microsoft/nanoserver',
]);

const releaseTagAlternatives = serverReleases.flatMap((r) => r.tags).join('|');
/** ltsc2022, 1809-KB4493509, ltsc2019-amd64, 1809-KB4493509-amd64 */
const releaseTagRe = new RegExp(`^(${releaseTagAlternatives})(?:-(KB\\d{6,7}))?(?:-(amd64|arm64))?$`, 'i');
/** 10.0.17763.437, 10.0.20348.2527-amd64 */
const versionTagRe = /^10\.0\.(\d{1,6})(?:\.(\d{1,6}))?(?:-(amd64|arm64))?$/i;
/**
 * Derived images on MCR name their Windows base at the end of the tag:
 * "4.8-windowsservercore-ltsc2022", "lts-nanoserver-1809", "windowsservercore-ltsc2022".
 */
const derivedTagRe = new RegExp(`(?:^|-)(?:windowsservercore|servercore|nanoserver)-(${releaseTagAlternatives})(?:-(amd64|arm64))?$`, 'i');

const accepted =
  'Expected a reference like mcr.microsoft.com/windows/servercore:ltsc2022, name:tag, name@sha256:<64 hex digits> or registry:port/path/name:tag (repository names are lower case).';

function invalid(reference: string, why: string): CoreError {
  return new CoreError('InvalidImageReference', `'${reference}' is not a valid image reference: ${why}. ${accepted}`, { details: { reference } });
}

/** Parses and normalises one reference; throws InvalidImageReference naming it. */
export function parseImageReference(reference: string, options: { imageBuild?: string | number | null } = {}): ImageReference {
  if (reference.length === 0) throw invalid(reference, 'it is empty');
  if (/\s/.test(reference)) throw invalid(reference, 'it contains white space');

  let rest = reference;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const match = /^([a-z0-9]+):([0-9a-f]+)$/.exec(digest);
    const expected = match ? digestHexLength[match[1]!] : undefined;
    if (!match || expected === undefined || match[2]!.length !== expected) {
      throw invalid(reference, `the digest '${digest}' is not sha256:<64 lower-case hex digits> (or sha384/sha512)`);
    }
  }

  let tag: string | null = null;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!tagRe.test(tag)) throw invalid(reference, `the tag '${tag}' is not valid (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')`);
  }

  const name = rest;
  if (name.length === 0) throw invalid(reference, 'it has no repository name');
  if (name.length > MAX_NAME_LENGTH) throw invalid(reference, `the name is longer than ${MAX_NAME_LENGTH} characters`);

  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasDomain = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const domain = hasDomain ? first : 'docker.io';
  const remote = hasDomain ? name.slice(slash + 1) : name;
  if (hasDomain && !domainRe.test(first)) throw invalid(reference, `the registry '${first}' is not a host name with an optional port`);
  if (remote.length === 0) throw invalid(reference, 'it has no repository name after the registry');
  for (const component of remote.split('/')) {
    if (pathComponentRe.test(component)) continue;
    if (component !== component.toLowerCase() && pathComponentRe.test(component.toLowerCase())) {
      throw invalid(reference, `the repository name '${remote}' has upper case letters; repository names must be lower case`);
    }
    throw invalid(reference, `'${component}' is not a valid path component (lower-case letters and digits, separated by '.', '_', '__' or '-')`);
  }
  const path = domain === 'docker.io' && !remote.includes('/') ? `library/${remote}` : remote;

  const fromTag = readBuildFromTag(reference, `${domain}/${path}`, tag, digest);
  let { build, revision, release, buildNote } = fromTag;
  let buildSource: ImageReference['buildSource'] = build === null ? null : 'tag';
  let windows = fromTag.windows;
  if (options.imageBuild !== undefined && options.imageBuild !== null) {
    const given = parseImageBuild(options.imageBuild);
    build = given.build;
    revision = given.revision;
    release = serverReleaseByBuild(given.build)?.key ?? null;
    buildSource = 'given';
    buildNote = null;
    windows = true;
  }
  return { reference, domain, path, tag, digest, windows, build, revision, release, buildSource, buildNote };
}

interface TagReading {
  windows: boolean | null;
  build: number | null;
  revision: number | null;
  release: ImageRelease | null;
  buildNote: string | null;
}

function readBuildFromTag(reference: string, repository: string, tag: string | null, digest: string | null): TagReading {
  const isBase = windowsBaseRepositories.has(repository);
  if (isBase) {
    if (tag === null && digest !== null) {
      // A digest pins one image exactly; it is not 'latest', it just does not say which build it is.
      return unknownBuild(true, `'${reference}' names its image by digest, which does not say the image's Windows build; give it with -ImageBuild (the OsVersion that docker image inspect shows)`);
    }
    if (tag === null) {
      return unknownBuild(true, `'${reference}' has no tag, so it means 'latest', which Microsoft no longer publishes for Windows base images; name the release (ltsc2022, ltsc2019, …)`);
    }
    const byRelease = releaseTagRe.exec(tag);
    if (byRelease) {
      const release = serverReleaseByTag(byRelease[1]!)!;
      return { windows: true, build: release.build, revision: null, release: release.key, buildNote: null };
    }
    const byVersion = versionTagRe.exec(tag);
    if (byVersion) {
      const build = Number(byVersion[1]);
      const revision = byVersion[2] === undefined ? null : Number(byVersion[2]);
      checkPossible(build, revision, (why) => invalid(reference, `the tag '${tag}' names ${why}`));
      return { windows: true, build, revision, release: serverReleaseByBuild(build)?.key ?? null, buildNote: null };
    }
    return unknownBuild(true, `the tag '${tag}' names no Windows release in the catalogue (known: ${serverReleases.map((r) => r.tag).join(', ')}, or 10.0.<build>.<revision>)`);
  }
  const derived = tag === null ? null : derivedTagRe.exec(tag);
  if (derived) {
    const release = serverReleaseByTag(derived[1]!)!;
    return { windows: true, build: release.build, revision: null, release: release.key, buildNote: null };
  }
  return unknownBuild(null, `nothing in '${reference}' names a Windows release; if it is a Windows image, give its build (the OsVersion in its image config)`);
}

function unknownBuild(windows: boolean | null, note: string): TagReading {
  return { windows, build: null, revision: null, release: null, buildNote: note };
}

function checkPossible(build: number, revision: number | null, fail: (why: string) => CoreError): void {
  if (!Number.isInteger(build) || build < MIN_POSSIBLE_BUILD || build > MAX_POSSIBLE_BUILD) {
    throw fail(`build ${build}, which no Windows 10.0 release can have (builds run from ${MIN_POSSIBLE_BUILD} to ${MAX_POSSIBLE_BUILD})`);
  }
  if (revision !== null && (!Number.isInteger(revision) || revision < 0 || revision > MAX_POSSIBLE_REVISION)) {
    throw fail(`revision ${revision}, which is outside 0–${MAX_POSSIBLE_REVISION}`);
  }
}

/**
 * An image's build as given by the caller: 20348, "20348", "20348.2527", "10.0.20348" or
 * the image config's OsVersion "10.0.20348.2527". Throws InvalidImageReference.
 */
export function parseImageBuild(value: string | number): { build: number; revision: number | null } {
  const text = String(value).trim();
  const fail = (why: string) =>
    new CoreError('InvalidImageReference', `The image build '${text}' is not usable: ${why}. Give a build number (20348), <build>.<revision> (20348.2527) or an OsVersion (10.0.20348 or 10.0.20348.2527).`, {
      details: { imageBuild: text },
    });
  const match = /^(?:10\.0\.)?(\d{1,6})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw fail('it is not a build number, <build>.<revision>, or a 10.0.<build>[.<revision>] version');
  const build = Number(match[1]);
  const revision = match[2] === undefined ? null : Number(match[2]);
  checkPossible(build, revision, (why) => fail(`it names ${why}`));
  return { build, revision };
}
