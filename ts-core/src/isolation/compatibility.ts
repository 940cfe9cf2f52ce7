import type { Isolation } from '../domain/isolation.js';
import {
  describeImageBuild,
  hostRelease,
  serverReleaseByBuild,
  serverReleaseByKey,
  serverReleases,
  type HostClass,
  type HostFamily,
  type HostRelease,
  type ImageRelease,
  type WindowsServerRelease,
} from './windowsBuilds.js';

/**
 * Which Windows Server base images run on which hosts, under which
 * isolation: Microsoft's "Windows container version compatibility" page
 * (MicrosoftDocs/Virtualization-Documentation,
 * virtualization/windowscontainers/deploy-containers/version-compatibility.md,
 * ms.date 01/23/2025; file last changed in commit b9fb379f on 2025-09-17; read
 * at repository commit 77e0742a of 2026-08-07), copied cell for cell.
 *
 * A mark is true (✅), false (❌), or "from a host build on" for the
 * page's footnote 1 on the Windows 11 table: "Supported from Windows 11 24H2
 * (`Build 2600`) onwards." The page's "2600" is a typo for 26100, the build of
 * Windows 11 24H2 (and of Windows Server 2025, the image in that row).
 */
export type Mark = boolean | { readonly fromHostBuild: number; readonly footnote: string };

export interface Cell {
  readonly hyperV: Mark;
  readonly process: Mark;
}

export type HostColumn = Partial<Record<ImageRelease, Cell>>;

const yes = true;
const no = false;
const win11From24H2: Mark = { fromHostBuild: 26100, footnote: 'Windows 11 runs Windows Server 2025 images only from 24H2 (build 26100) on' };

/** The current page, table by table: host → container base image → {Hyper-V, process}. */
export const compatibilityTable: Readonly<Partial<Record<HostFamily, HostColumn>>> = {
  // Windows Server host OS compatibility
  ws2025: {
    ws2025: { hyperV: yes, process: yes },
    ws2022: { hyperV: yes, process: yes },
    ws2019: { hyperV: yes, process: no },
    ws2016: { hyperV: yes, process: no },
  },
  ws2022: {
    ws2022: { hyperV: yes, process: yes },
    ws2019: { hyperV: yes, process: no },
    ws2016: { hyperV: yes, process: no },
  },
  ws2019: {
    ws2022: { hyperV: no, process: no },
    ws2019: { hyperV: yes, process: yes },
    ws2016: { hyperV: yes, process: no },
  },
  ws2016: {
    ws2022: { hyperV: no, process: no },
    ws2019: { hyperV: no, process: no },
    ws2016: { hyperV: yes, process: yes },
  },
  // Windows Client host OS compatibility
  win11: {
    ws2025: { hyperV: win11From24H2, process: win11From24H2 },
    ws2022: { hyperV: yes, process: yes },
    ws2019: { hyperV: yes, process: no },
    ws2016: { hyperV: yes, process: no },
  },
  win10: {
    ws2022: { hyperV: no, process: no },
    ws2019: { hyperV: yes, process: no },
    ws2016: { hyperV: yes, process: no },
  },
};

/**
 * The Semi-Annual Channel releases (1903, 1909, 2004, 20H2) left the page
 * when they went out of support. Their cells come from the page at revision
 * 64b6d114 (2022-03-03), the last one that listed them all. Only cells the
 * current page does not have are taken from it. Its Windows 10 tabs are not
 * taken, and they differ from the current page: they mark process isolation
 * ✅ for the same-build image on Windows 10 2004 and 20H2 (❌ on 1809, 1903
 * and 1909), where the current page allows no process isolation on Windows
 * 10 at all, and they mark Hyper-V ✅ for a Windows Server 2022 image on
 * Windows 10 21H1, an image newer than the host, which the current page
 * marks ❌. The module follows the current page; for a same-build image on
 * Windows 10 the reason also gives the other reading (Docker accepts
 * --isolation=process there for development and testing).
 */
export const archivedSacTable: Readonly<Partial<Record<HostFamily, HostColumn>>> = {
  ws2022: {
    ws20H2: { hyperV: yes, process: no },
    ws2004: { hyperV: yes, process: no },
    ws1909: { hyperV: yes, process: no },
    ws1903: { hyperV: yes, process: no },
  },
  ws20H2: {
    ws2022: { hyperV: no, process: no },
    ws20H2: { hyperV: yes, process: yes },
    ws2004: { hyperV: yes, process: no },
    ws1909: { hyperV: yes, process: no },
    ws1903: { hyperV: yes, process: no },
    ws2019: { hyperV: yes, process: no },
    ws2016: { hyperV: yes, process: no },
  },
  ws2004: {
    ws2022: { hyperV: no, process: no },
    ws20H2: { hyperV: no, process: no },
    ws2004: { hyperV: yes, process: yes },
    ws1909: { hyperV: yes, process: no },
    ws1903: { hyperV: yes, process: no },
    ws2019: { hyperV: yes, process: no },
    ws2016: { hyperV: yes, process: no },
  },
  ws1909: {
    ws2022: { hyperV: no, process: no },
    ws20H2: { hyperV: no, process: no },
    ws2004: { hyperV: no, process: no },
    ws1909: { hyperV: yes, process: yes },
    ws1903: { hyperV: yes, process: no },
    ws2019: { hyperV: yes, process: no },
    ws2016: { hyperV: yes, process: no },
  },
  ws1903: {
    ws2022: { hyperV: no, process: no },
    ws20H2: { hyperV: no, process: no },
    ws2004: { hyperV: no, process: no },
    ws1909: { hyperV: no, process: no },
    ws1903: { hyperV: yes, process: yes },
    ws2019: { hyperV: yes, process: no },
    ws2016: { hyperV: yes, process: no },
  },
  ws2019: {
    ws20H2: { hyperV: no, process: no },
    ws2004: { hyperV: no, process: no },
    ws1909: { hyperV: no, process: no },
    ws1903: { hyperV: no, process: no },
  },
  ws2016: {
    ws20H2: { hyperV: no, process: no },
    ws2004: { hyperV: no, process: no },
    ws1909: { hyperV: no, process: no },
    ws1903: { hyperV: no, process: no },
  },
  win11: {
    ws20H2: { hyperV: yes, process: no },
    ws2004: { hyperV: yes, process: no },
    ws1909: { hyperV: yes, process: no },
    ws1903: { hyperV: yes, process: no },
  },
};

/**
 * For pairs neither table lists (a Windows Server 2025 host with a 1909
 * image, a Windows Server 2022 host with an ltsc2025 image, …), the page's
 * own rules, as data per host kind:
 * - process: "Windows Server containers are blocked from starting when the
 *   build number between the container host and the container image are
 *   different" (sameBuild); Windows 10 hosts run none (never).
 * - Hyper-V: images of the host's build or older ("running with Hyper-V
 *   isolation provides the container with a set of matching Kernel
 *   binaries"); every table marks every newer image ❌.
 */
export const processRuleByHostClass: Readonly<Record<'server' | 'win10' | 'win11', 'sameBuild' | 'never'>> = {
  server: 'sameBuild',
  win10: 'never',
  win11: 'sameBuild',
};

export type Source = 'table' | 'archivedTable' | 'rule' | 'unknown';

export interface CompatibilityHost {
  build: number;
  revision?: number | null;
  class: HostClass | null;
}

export interface CompatibilityImage {
  build: number | null;
  revision?: number | null;
  /** What to call the image when its build is unknown ("the image 'contoso/app'"). */
  label?: string;
  /** Why its build is unknown (from the reference parser). */
  buildNote?: string | null;
}

export interface Compatibility {
  /** true / false, or null when the catalogue cannot answer (never a guess). */
  allowed: boolean | null;
  reason: string;
  /** What to do instead; null when allowed. */
  suggestion: string | null;
  source: Source;
}

interface Verdict {
  allowed: boolean | null;
  source: Source;
  /** Which rule produced it, for the wording. */
  why: 'cell' | 'footnote' | 'sameBuild' | 'differentBuild' | 'newer' | 'olderOrSame' | 'win10NoProcess' | 'revision' | 'revisionUnknown';
  footnote?: string;
}

function cellFor(family: HostFamily, image: ImageRelease): { cell: Cell; source: Source } | null {
  const current = compatibilityTable[family]?.[image];
  if (current) return { cell: current, source: 'table' };
  const archived = archivedSacTable[family]?.[image];
  if (archived) return { cell: archived, source: 'archivedTable' };
  return null;
}

function ruleFamily(host: HostRelease): 'server' | 'win10' | 'win11' {
  return host.class === 'Server' ? 'server' : host.family === 'win10' ? 'win10' : 'win11';
}

function verdictFor(host: HostRelease, hostRevision: number | null, imageBuild: number, imageRevision: number | null, imageRelease: ImageRelease, isolation: Isolation): Verdict {
  const found = cellFor(host.family, imageRelease);
  let verdict: Verdict;
  if (found) {
    const mark = isolation === 'Process' ? found.cell.process : found.cell.hyperV;
    if (typeof mark === 'boolean') {
      verdict = { allowed: mark, source: found.source, why: 'cell' };
    } else {
      verdict = { allowed: host.build >= mark.fromHostBuild, source: found.source, why: 'footnote', footnote: mark.footnote };
    }
  } else if (isolation === 'HyperV') {
    verdict = { allowed: imageBuild <= host.build, source: 'rule', why: imageBuild <= host.build ? 'olderOrSame' : 'newer' };
  } else {
    const rule = processRuleByHostClass[ruleFamily(host)];
    if (rule === 'never') verdict = { allowed: false, source: 'rule', why: 'win10NoProcess' };
    else verdict = { allowed: imageBuild === host.build, source: 'rule', why: imageBuild === host.build ? 'sameBuild' : 'differentBuild' };
  }
  // Windows Server 2016 Restrictions: same build is not enough, the revision must match too.
  const release = serverReleaseByKey(imageRelease);
  if (verdict.allowed === true && isolation === 'Process' && release.revisionMustMatch && host.build === imageBuild) {
    if (hostRevision === null || imageRevision === null) return { allowed: null, source: verdict.source, why: 'revisionUnknown' };
    if (hostRevision !== imageRevision) return { allowed: false, source: verdict.source, why: 'revision' };
  }
  return verdict;
}

/**
 * Can this image run on this host under this isolation? Pure: data in,
 * data out. Answers null, with the reason, when the host or the image is
 * not in the catalogue or the host's class is ambiguous.
 */
export function compatibility(host: CompatibilityHost, image: CompatibilityImage, isolation: Isolation): Compatibility {
  const hostRevision = host.revision ?? null;
  const imageRevision = image.revision ?? null;
  const imageName = image.label ?? 'the image';

  if (image.build === null) {
    return {
      allowed: null,
      source: 'unknown',
      reason: `The Windows build of ${imageName} is unknown${image.buildNote ? `: ${image.buildNote}` : ''}.`,
      suggestion: "Give the image's build (the OsVersion in its image config, for example 10.0.20348.2527), or use a tag that names the release (ltsc2022).",
    };
  }
  const imageRelease = serverReleaseByBuild(image.build);
  if (!imageRelease) {
    return {
      allowed: null,
      source: 'unknown',
      reason: `The image's build ${image.build} is not in the catalogue (known Windows Server image builds: ${serverReleases.map((r) => `${r.build} ${r.tag}`).join(', ')}), so its compatibility is unknown.`,
      suggestion: 'Check Microsoft\'s Windows container version-compatibility page for this build, or use a catalogued image such as ltsc2022.',
    };
  }

  const candidates = (host.class === null ? (['Server', 'Client'] as const) : [host.class]).map((c) => hostRelease(host.build, c)).filter((h): h is HostRelease => h !== undefined);
  if (candidates.length === 0) {
    return {
      allowed: null,
      source: 'unknown',
      reason: `The host's build ${host.build}${host.class ? ` (${host.class})` : ''} is not in the catalogue, so its compatibility is unknown.`,
      suggestion: 'Give the host as a catalogued build or edition (for example 10.0.20348 or Windows 11 24H2).',
    };
  }
  const verdicts = candidates.map((h) => ({ host: h, verdict: verdictFor(h, hostRevision, image.build!, imageRevision, imageRelease.key, isolation) }));
  const first = verdicts[0]!;
  // An ambiguous build (17763 is Server 2019 and Windows 10 1809) is answered
  // only when every reading agrees, and then named as both.
  const named = verdicts.length > 1 ? { ...first.host, name: verdicts.map((v) => v.host.name).join(' or ') } : first.host;
  if (verdicts.some((v) => v.verdict.allowed !== first.verdict.allowed)) {
    return {
      allowed: null,
      source: 'unknown',
      reason: `Build ${host.build} is both ${verdicts.map((v) => v.host.name).join(' and ')}, and the answer differs between them.`,
      suggestion: `Give the host's edition (for example '${verdicts.map((v) => v.host.name).join("' or '")}').`,
    };
  }
  return explain(named, hostRevision, imageRelease.key, image.build, imageRevision, isolation, first.verdict);
}

/**
 * hcsshim's reading of a process-isolation pair (osversion
 * CheckHostAndContainerCompat, "stable ABI"): a host before Windows Server
 * 2022 (20348) needs the same build; a later host runs images from the
 * newest LTSC release (20348, 26100) older than itself up to its own build.
 * It reads builds only, whatever the edition, so it disagrees with the page
 * in places (Windows 11 25H2 with ltsc2022: the page ✅, hcsshim ❌; Windows
 * Server 23H2 with ltsc2022: the page's rule ❌, hcsshim ✅). The module
 * follows the page and names hcsshim's reading in the reason.
 */
export function hcsshimProcessCompatible(hostBuild: number, imageBuild: number): boolean {
  const ltsc = [20348, 26100];
  if (hostBuild < 20348) return hostBuild === imageBuild;
  let supported = 20348;
  for (let i = ltsc.length - 1; i >= 0; i--) {
    if (hostBuild > ltsc[i]!) {
      supported = ltsc[i]!;
      break;
    }
  }
  return imageBuild >= supported && imageBuild <= hostBuild;
}

/** The sentence that names hcsshim's reading when it differs from the page's answer; '' when they agree. */
function hcsshimNote(host: HostRelease, imageBuild: number, allowedByPage: boolean): string {
  const hcsshim = hcsshimProcessCompatible(host.build, imageBuild);
  if (hcsshim === allowedByPage) return '';
  return ` hcsshim's build rule (osversion.CheckHostAndContainerCompat, used by containerd) reads this pair the other way: it ${hcsshim ? 'accepts' : 'refuses'} it; this answer follows Microsoft's compatibility page.`;
}

function hostLabel(host: HostRelease): string {
  return `${host.name} (${host.build})`;
}

/**
 * Tags to suggest, newest first. Long-Term Servicing Channel images only,
 * unless only a Semi-Annual Channel one fits (a 1909 host): those releases
 * are out of support and not worth recommending when an LTSC image works.
 */
function suggestTags(releases: readonly WindowsServerRelease[]): string[] {
  const ltsc = releases.filter((r) => r.channel === 'LTSC');
  return (ltsc.length > 0 ? ltsc : releases).map((r) => r.tag).reverse();
}

/** The image tag(s) that run with process isolation on this host, per the same tables. */
function processImagesFor(host: HostRelease): string[] {
  return suggestTags(serverReleases.filter((r) => verdictFor(host, null, r.build, null, r.key, 'Process').allowed !== false));
}

/** The image tag(s) that run with Hyper-V isolation on this host. */
function hyperVImagesFor(host: HostRelease): string[] {
  return suggestTags(serverReleases.filter((r) => hyperVAllowed(host, r.build, r.key)));
}

function hyperVAllowed(host: HostRelease, imageBuild: number, imageRelease: ImageRelease): boolean | null {
  return verdictFor(host, null, imageBuild, null, imageRelease, 'HyperV').allowed;
}

function explain(host: HostRelease, hostRevision: number | null, imageRelease: ImageRelease, imageBuild: number, imageRevision: number | null, isolation: Isolation, verdict: Verdict): Compatibility {
  const hostText = hostLabel(host);
  const imageText = describeImageBuild(imageBuild);
  const source = verdict.source;
  const sourceNote = source === 'archivedTable' ? " (from the page's 2022 table of Semi-Annual Channel releases)" : '';
  const sameBuild = imageBuild === host.build;

  if (isolation === 'HyperV') {
    if (verdict.allowed) {
      return {
        allowed: true,
        source,
        reason: `Hyper-V isolation runs images of the host's build or older: the host is ${hostText}, the image is ${imageText}${sourceNote}.`,
        suggestion: null,
      };
    }
    if (verdict.why === 'footnote') {
      return { allowed: false, source, reason: `${verdict.footnote}: the host is ${hostText}, the image is ${imageText}.`, suggestion: `Update the host to Windows 11 24H2 or later, or use an ltsc2022 image.` };
    }
    const older = hyperVImagesFor(host);
    return {
      allowed: false,
      source,
      reason: `Hyper-V isolation never runs an image newer than the host: the host is ${hostText}, the image is ${imageText}${sourceNote}.`,
      suggestion: older.length > 0 ? `Use an image of the host's build or older (${older.join(', ')}), or run it on a newer host.` : 'Run it on a newer host.',
    };
  }

  // Process isolation.
  if (verdict.why === 'revision') {
    return {
      allowed: false,
      source,
      reason: `Windows Server 2016 process isolation needs the same revision as well as the same build: the host is 10.0.14393.${hostRevision}, the image is 10.0.14393.${imageRevision}.`,
      suggestion: `Use an image of revision 10.0.14393.${hostRevision}, update host and image together, or use -Isolation HyperV.`,
    };
  }
  if (verdict.why === 'revisionUnknown') {
    return {
      allowed: null,
      source,
      reason: `Windows Server 2016 process isolation needs the host's and the image's revisions to match, and the ${hostRevision === null ? "host's" : "image's"} revision is unknown.`,
      suggestion: `Give both revisions (host 10.0.14393.<rev>, image 10.0.14393.<rev>), or use -Isolation HyperV.`,
    };
  }
  if (verdict.allowed) {
    const reason = sameBuild
      ? `Process isolation runs this image: the host is ${hostText} and the image is ${imageText}, the same build${sourceNote}.`
      : `Microsoft's compatibility table allows ${imageText} images under process isolation on ${hostText} hosts${verdict.why === 'footnote' ? ' (24H2 or later)' : ''}.`;
    return { allowed: true, source, reason: reason + hcsshimNote(host, imageBuild, true), suggestion: null };
  }
  const hyperV = hyperVAllowed(host, imageBuild, imageRelease);
  const alternatives: string[] = [];
  if (hyperV) alternatives.push('-Isolation HyperV');
  if (verdict.why === 'win10NoProcess' || (host.family === 'win10' && verdict.why === 'cell')) {
    // The other reading: Microsoft's "Isolation modes" page and Docker (Engine 18.09+, moby PR 38000)
    // accept --isolation=process on Windows 10 from 1809 (17763) when the builds match.
    const dockerNote = sameBuild && host.build >= 17763
      ? ` Docker accepts --isolation=process on Windows 10 from 1809 (build 17763) when the image's build matches the host's, for development and testing (Microsoft's "Isolation modes" page); the compatibility page lists no process isolation on Windows 10, and this answer follows it.`
      : '';
    return {
      allowed: false,
      source,
      reason: `Windows 10 runs Windows Server images only with Hyper-V isolation, never with process isolation: the host is ${hostText}, the image is ${imageText}.${dockerNote}`,
      suggestion: hyperV ? 'Use -Isolation HyperV.' : `Use -Isolation HyperV with an image of the host's build or older (${hyperVImagesFor(host).join(', ')}).`,
    };
  }
  if (verdict.why === 'footnote') {
    return {
      allowed: false,
      source,
      reason: `${verdict.footnote}: the host is ${hostText}, the image is ${imageText}.`,
      suggestion: `Update the host to Windows 11 24H2 or later, or use an ltsc2022 image.`,
    };
  }
  const images = processImagesFor(host);
  const imageChoice = images.length > 0 ? `${images[0]!.startsWith('ltsc') ? 'an' : 'a'} ${images.join(' or ')} image` : null;
  const choices = [...alternatives, ...(imageChoice ? [imageChoice] : [])];
  return {
    allowed: false,
    source,
    reason: `Process isolation needs the image's build to match the host's: the host is ${hostText}, the image is ${imageText}${sourceNote}.${hcsshimNote(host, imageBuild, false)}`,
    suggestion: choices.length > 0 ? `Use ${choices.join(', or ')}.` : 'Run it on a host of the same build.',
  };
}
