import { z } from 'zod';
import { defineCommand, type CommandContext } from '../protocol/dispatcher.js';
import { CoreError } from '../protocol/errors.js';
import { backendNames, type BackendName, type Isolation, type RequestedIsolation } from '../backends/types.js';
import { readHostOs, type HostOs } from '../host/hostInfo.js';
import { compatibility, type Source } from '../isolation/compatibility.js';
import { describeDefaultIsolation, resolveIsolation } from '../isolation/defaults.js';
import { hostFromBuildAndEdition } from '../isolation/hostVersion.js';
import { parseImageReference, type ImageReference } from '../isolation/imageReference.js';
import { describeImageBuild, hostRelease, serverReleaseByKey, type HostClass } from '../isolation/windowsBuilds.js';

import { isolations, requestedIsolationSchema } from '../domain/isolation.js';
import { toItemError, type ItemError } from '../domain/itemError.js';
import { responses } from '../domain/responses.js';
import { listField, refuse } from '../domain/requestFields.js';
import { quoteValue } from '../domain/names.js';

/** Text the caller typed, at most `max` characters; `what` names it in the message. */
function boundedText(field: string, what: string, max: number, example: string) {
  return z.string().superRefine((text, ctx) => {
    if (text.length > max) refuse(ctx, `${what} ${quoteValue(text)} is ${text.length} characters long; at most ${max} are taken. Give one such as ${example}.`, field);
  });
}

/** A build as a number or as text; the text is bounded. */
function buildField(field: string, what: string, max: number, example: string) {
  return z.union([z.string(), z.number().int()]).superRefine((build, ctx) => {
    if (typeof build === 'string' && build.length > max) {
      refuse(ctx, `${what} ${quoteValue(build)} is ${build.length} characters long; at most ${max} are taken. Give one such as ${example}.`, field);
    }
  });
}

export const compatibilityArgs = z.strictObject({
  images: listField(
    z.strictObject({
      // Longer than a reference can be; a malformed one shorter than this is that item's own error (InvalidImageReference).
      reference: boundedText('reference', 'The image reference', 1024, 'mcr.microsoft.com/windows/servercore:ltsc2022'),
      /** The image's build when the caller knows it (image config OsVersion): 20348, "10.0.20348.2527". */
      imageBuild: buildField('imageBuild', 'The image build', 64, '20348 or 10.0.20348.2527').nullish(),
    }),
    { field: 'images', label: 'The list of images', noun: 'image', min: 1, max: 5000, fix: 'Give at least one image and at most 5000 per request; Test-IsolationCompatibility sends them in batches of 1000.' },
  ),
  /** Default: both Process and HyperV. `Default` is resolved per host and backend. */
  isolations: z.array(requestedIsolationSchema).min(1).max(3).optional(),
  /** The host to answer for; omitted: this machine. */
  host: z
    .strictObject({
      build: buildField('host.build', 'The host build', 200, '20348 or 10.0.20348.2527').optional(),
      edition: boundedText('host.edition', 'The host edition', 200, "'Windows Server 2022'").optional(),
      class: z.enum(['Server', 'Client']).optional(),
    })
    .optional(),
  backend: z.enum(backendNames).optional(),
});
export type CompatibilityArgs = z.infer<typeof compatibilityArgs>;

/** The host the answers are for. */
export interface PolicyHost {
  platform: string;
  /** "Windows Server 2022", "Windows 11 24H2", "Debian GNU/Linux 12 (bookworm)". */
  name: string;
  build: number | null;
  revision: number | null;
  class: HostClass | null;
  /** Where it came from: this machine, or what the caller gave. */
  source: 'local' | 'given';
}

export interface CompatibilityItem {
  image: string;
  isolation: Isolation | null;
  requestedIsolation: RequestedIsolation | null;
  defaulted: boolean;
  allowed: boolean | null;
  reason: string | null;
  suggestion: string | null;
  source: Source | null;
  /** true: a Windows image; null: the reference does not say. */
  windowsImage: boolean | null;
  imageBuild: number | null;
  imageRevision: number | null;
  /** "ltsc2022" when the build is catalogued. */
  imageRelease: string | null;
  hostBuild: number | null;
  /** Set instead of an answer when this one reference is malformed. */
  error: ItemError | null;
}

/**
 * Reads the host from the caller's description: build and/or edition (an
 * edition name, or an OS caption as Windows writes it, which then takes the
 * build), optionally the class. The one reading of a given host.
 */
export function hostFromArgs(given: NonNullable<CompatibilityArgs['host']>): PolicyHost {
  const host = hostFromBuildAndEdition(given);
  return {
    platform: 'win32',
    name: hostName(host.build, host.class),
    build: host.build,
    revision: host.revision,
    class: host.class,
    source: 'given',
  };
}

function hostName(build: number, hostClass: HostClass | null): string {
  const classes: HostClass[] = hostClass ? [hostClass] : ['Server', 'Client'];
  const names = classes.map((c) => hostRelease(build, c)?.name).filter((n): n is string => n !== undefined);
  return names.length > 0 ? `${names.join(' or ')} (${build})` : `Windows build ${build}`;
}

export function hostFromOs(os: HostOs): PolicyHost {
  if (os.platform === 'win32' && os.build !== null) {
    return { platform: 'win32', name: hostName(os.build, os.hostClass), build: os.build, revision: os.revision, class: os.hostClass, source: 'local' };
  }
  return { platform: os.platform, name: os.name, build: null, revision: null, class: null, source: 'local' };
}

/**
 * This machine as the host to answer for, with its update revision (Windows
 * Server 2016 process answers depend on it). A host that is not Windows has
 * no build to check Windows images against: the caller must name the
 * Windows host it plans for (HostBuildRequired). The one rule for every
 * caller, the module's Test-IsolationCompatibility included.
 */
export function localPolicyHost(os: HostOs): PolicyHost {
  const host = hostFromOs(os);
  if (host.build === null) {
    throw new CoreError('HostBuildRequired',
      `This host runs ${os.name}, not Windows, so there is no host build to check Windows images against. ` +
      "Give the Windows host to plan for: its build (-HostBuild, for example 20348 or 10.0.20348.2527) or its edition (-HostEdition, for example 'Windows Server 2022').",
      { details: { platform: os.platform, name: os.name } });
  }
  return host;
}

/**
 * Answers every image × isolation for one host. Pure apart from the
 * context's verbose/progress events; a malformed reference answers its own
 * item with an error instead of failing the whole batch.
 */
export function evaluateCompatibility(args: CompatibilityArgs, host: PolicyHost, context?: Pick<CommandContext, 'verbose' | 'progress'>): CompatibilityItem[] {
  const requested: readonly RequestedIsolation[] = args.isolations ?? isolations;
  const items: CompatibilityItem[] = [];
  const hostForDefaults = { platform: host.platform, hostClass: host.class };
  if (requested.includes('Default')) context?.verbose(describeDefaultIsolation(hostForDefaults, args.backend as BackendName | undefined));

  args.images.forEach((entry, index) => {
    if (context && args.images.length >= 50 && index % 50 === 0) {
      context.progress('Checking image compatibility', `${index} of ${args.images.length}`, Math.floor((index * 100) / args.images.length));
    }
    let image: ImageReference;
    try {
      image = parseImageReference(entry.reference, { imageBuild: entry.imageBuild ?? null });
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      items.push({
        image: entry.reference, isolation: null, requestedIsolation: null, defaulted: false,
        allowed: null, reason: null, suggestion: null, source: null, windowsImage: null,
        imageBuild: null, imageRevision: null, imageRelease: null, hostBuild: host.build,
        error: toItemError(error),
      });
      return;
    }
    for (const want of requested) {
      const { isolation, defaulted } = resolveIsolation(want, hostForDefaults, args.backend as BackendName | undefined);
      const answer = answerFor(image, host, isolation);
      items.push({
        image: entry.reference,
        isolation,
        requestedIsolation: want,
        defaulted,
        ...answer,
        windowsImage: image.windows,
        imageBuild: image.build,
        imageRevision: image.revision,
        imageRelease: image.release === null ? null : serverReleaseByKey(image.release).tag,
        hostBuild: host.build,
        error: null,
      });
    }
  });
  return items;
}

function answerFor(image: ImageReference, host: PolicyHost, isolation: Isolation): Pick<CompatibilityItem, 'allowed' | 'reason' | 'suggestion' | 'source'> {
  if (host.build === null) {
    // Not a Windows host: a Windows image cannot run here under any isolation.
    if (image.windows === true) {
      const what = image.build === null ? 'a Windows image' : `a Windows image, ${describeImageBuild(image.build)}`;
      return {
        allowed: false,
        source: 'rule',
        reason: `'${image.reference}' is ${what}, and this host runs ${host.name}: neither process nor Hyper-V isolation can run Windows images here.`,
        suggestion: 'Run it on a Windows host, or use a Linux image.',
      };
    }
    return {
      allowed: null,
      source: 'unknown',
      reason: `Nothing in '${image.reference}' says it is a Windows image; on this ${host.name} host only Linux images run, and the Windows compatibility table does not apply.`,
      suggestion: null,
    };
  }
  const label = `'${image.reference}'`;
  return compatibility(
    { build: host.build, revision: host.revision, class: host.class },
    { build: image.build, revision: image.revision, label, buildNote: image.buildNote },
    isolation,
  );
}

export const isolationCompatibility = defineCommand({
  name: 'isolation.compatibility',
  summary: "Whether Windows images can run on a host under process or Hyper-V isolation, per Microsoft's version-compatibility table.",
  args: compatibilityArgs,
  response: responses['isolation.compatibility'],
  async run(args, context) {
    const host = args.host ? hostFromArgs(args.host) : localPolicyHost(await readHostOs());
    return { host, results: evaluateCompatibility(args, host, context) };
  },
});
