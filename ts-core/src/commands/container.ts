import { z } from 'zod';
import { defineCommand, type CommandContext } from '../protocol/dispatcher.js';
import { CoreError, toCoreError } from '../protocol/errors.js';
import { readHostOs } from '../host/hostInfo.js';
import { resolveIsolation } from '../isolation/defaults.js';
import { gatherEvidence, judgeEvidence } from '../isolation/evidence.js';
import { evaluateCompatibility, hostFromOs } from './policy.js';
import { autoBackend, getBackend, probeAll } from '../backends/registry.js';
import { locateBackend, requireBackendFor } from '../backends/locate.js';
import { containerNameSchema } from '../domain/names.js';
import { backendNameSchema, requestedIsolationSchema } from '../domain/isolation.js';
import { toItemError } from '../domain/itemError.js';
import { responses } from '../domain/responses.js';
import type { ContainerInfo } from '../domain/container.js';
import type { Backend } from '../backends/types.js';
import type { BackendName, Isolation } from '../domain/isolation.js';
import { hasWildcard, wildcardToRegExp } from '../util/wildcard.js';
import {
  commandField,
  environmentField,
  hostnameField,
  imageField,
  integerField,
  listField,
  namePatternField,
  refuse,
  userField,
  utcTimeField,
  workingDirectoryField,
} from '../domain/requestFields.js';

/** 0.01 CPU is the smallest CFS quota runc can set (1 ms per 100 ms period); less would round to 0, i.e. no limit. */
const cpuCountField = z.number().superRefine((cpus, ctx) => {
  if (!Number.isFinite(cpus) || cpus < 0.01 || cpus > 1024) {
    refuse(ctx, `The CPU limit (cpuCount) ${cpus} is not usable: give 0.01 to 1024 CPUs (1.5 = one and a half; 0.01 is 1 ms of CPU per 100 ms, the smallest quota the runtime enforces).`, 'cpuCount');
  }
});

export const containerCreate = defineCommand({
  name: 'container.create',
  summary: 'Creates and starts a container with the requested isolation.',
  args: z.strictObject({
    name: containerNameSchema,
    image: imageField,
    isolation: requestedIsolationSchema.default('Default'),
    command: commandField({ required: false }).default([]),
    env: environmentField.default({}),
    workingDir: workingDirectoryField({ windows: true }).optional(),
    hostname: hostnameField.optional(),
    backend: backendNameSchema.optional(),
    memoryMB: integerField({ field: 'memoryMB', label: 'The memory limit', unit: 'MiB', min: 6, max: 1_048_576 }).optional(),
    user: userField.optional(),
    userNamespace: z.boolean().default(false),
    cpuCount: cpuCountField.optional(),
  }),
  response: responses['container.create'],
  async run(args, context) {
    const name = args.name;
    const { backend, isolation, engineDecides, defaulted } = await preflightCreate(args, context);
    // Names are global across backends: commands find containers by name alone.
    const elsewhere = await locateBackend(name, { except: backend.name, scope: context });
    if (elsewhere) {
      throw new CoreError('ContainerAlreadyExists',
        `A container named '${name}' already exists on the ${elsewhere.name} backend. Choose another name.`, { details: { name, backend: elsewhere.name } });
    }
    const spec = {
      name,
      image: args.image,
      command: args.command,
      env: args.env,
      workingDir: args.workingDir ?? '',
      hostname: args.hostname ?? '',
      memoryMB: args.memoryMB,
      cpuCount: args.cpuCount,
      user: args.user,
      userNamespace: args.userNamespace,
    };
    const info = engineDecides && backend.createWithEngineDefault
      ? await backend.createWithEngineDefault(spec, context)
      : await backend.create({ ...spec, isolation }, context);
    return { ...info, requestedIsolation: args.isolation, isolationDefaulted: defaulted };
  },
});

/**
 * Everything container.create decides and refuses before a backend creates
 * anything: the backend, the isolation, and the compatibility pre-flight.
 * container.converge runs it before it removes a container it recreates, so
 * an unreachable desired state changes nothing.
 */
export async function preflightCreate(
  args: Pick<z.output<typeof containerCreate.args>, 'image' | 'isolation' | 'backend'>,
  context: CommandContext,
): Promise<{ backend: Backend; isolation: Isolation; engineDecides: boolean; defaulted: boolean }> {
  const backend = args.backend ? getBackend(args.backend) : await autoBackend(context);
  const hostOs = await readHostOs();
  const policyHost = hostFromOs(hostOs);
  // Default left to the engine where the engine decides it (dockerd); else the core resolves it here.
  const engineDecides = args.isolation === 'Default' && backend.createWithEngineDefault !== undefined;
  const { isolation, defaulted } = resolveIsolation(args.isolation, { platform: hostOs.platform, hostClass: hostOs.hostClass }, backend.name);
  if (defaulted && !engineDecides) {
    context.verbose(`-Isolation Default means ${isolation} here (backend ${backend.name}, ${hostOs.name}${hostOs.hostClass ? `, a Windows ${hostOs.hostClass}` : ''}).`);
  }
  // The compatibility pre-flight, before the backend creates anything: the
  // core's one check for every client (module, one-shot CLI, DSC), in the
  // same round trip as the create. When the engine picks the isolation, the
  // image must be able to run under at least one of the two.
  const candidates: Isolation[] = engineDecides ? ['Process', 'HyperV'] : [isolation];
  const verdicts = evaluateCompatibility({ images: [{ reference: args.image }], isolations: candidates }, policyHost);
  const unknown = verdicts.find((v) => v.allowed === null && v.windowsImage === true);
  if (unknown) {
    context.warning(`Could not check '${args.image}' against this host before creating it: ${unknown.reason ?? 'its build is unknown.'} The backend will decide.`);
  }
  if (verdicts.length > 0 && verdicts.every((v) => v.allowed === false)) {
    const [verdict] = verdicts;
    const shown = engineDecides ? 'either' : isolation;
    throw new CoreError('ImageIncompatibleWithHost',
      `Cannot create a container from '${args.image}' with ${shown} isolation on this host: ${verdict!.reason ?? ''}${verdict!.suggestion ? ` ${verdict!.suggestion}` : ''}`,
      { details: { image: args.image, isolation: engineDecides ? 'Default' : isolation, reason: verdict!.reason, suggestion: verdict!.suggestion, hostBuild: verdict!.hostBuild, imageBuild: verdict!.imageBuild } });
  }
  if (engineDecides) {
    const refused = verdicts.find((v) => v.allowed === false);
    if (refused) context.warning(`'${args.image}' cannot run with ${refused.isolation} isolation on this host (${refused.reason ?? 'see Test-IsolationCompatibility'}); if the engine's default is ${refused.isolation}, the create will fail. Give -Isolation to choose.`);
  }
  return { backend, isolation, engineDecides, defaulted };
}

export const containerList = defineCommand({
  name: 'container.list',
  summary: 'Containers on every usable backend, filtered by name patterns (PowerShell wildcards), sorted by name.',
  args: z.strictObject({
    names: listField(namePatternField({ field: 'names', what: 'container', max: 200 }), { field: 'names', label: 'The list of container names', noun: 'name', max: 1000, fix: 'Ask for them in batches of 1000, or with a wildcard pattern such as web*.' }).default(['*']),
    /** Also containers this module did not make (other Docker containers, HCS systems). */
    all: z.boolean().default(false),
  }),
  response: responses['container.list'],
  async run(args, context) {
    const patterns = args.names.length > 0 ? args.names : ['*'];
    const regexps = patterns.map(wildcardToRegExp);
    const containers: ContainerInfo[] = [];
    const errors: { name: string; code: string; message: string; category: string; backend: BackendName | null }[] = [];
    // Listing boots nothing: no KVM test boot (that belongs to creating a HyperV container).
    const statuses = await probeAll(context, { thorough: false });
    for (const status of statuses) {
      if (!status.usable) continue;
      const backend = getBackend(status.name);
      try {
        const { containers: found, problems } = await backend.list({ all: true }, context);
        // On Windows HCS also sees Docker's containers (same id): Docker's record, with its name and image, wins.
        const listed = new Set(containers.map((c) => c.id));
        containers.push(...found.filter((c) => !listed.has(c.id)));
        for (const problem of problems) {
          if (regexps.some((r) => r.test(problem.name))) errors.push({ name: problem.name, ...toItemError(problem.error), backend: backend.name });
        }
      } catch (error) {
        const coreError = toCoreError(error);
        errors.push({ name: '*', ...toItemError(coreError), message: `The ${backend.name} backend could not list containers: ${coreError.message}`, backend: backend.name });
      }
    }
    // One order for every backend together (each lists its own), as Get-Process and Get-Service answer by name.
    const matching = sortListed(selectListed(containers, patterns, args.all));
    for (const pattern of patterns) {
      if (hasWildcard(pattern)) continue;
      const literal = wildcardToRegExp(pattern);
      if (!matching.some((c) => literal.test(c.name)) && !errors.some((e) => literal.test(e.name))) {
        errors.push({ name: pattern, ...toItemError(new CoreError('ContainerNotFound', `There is no container named '${pattern}'.`)), backend: null });
      }
    }
    return { containers: matching, errors };
  },
});

/**
 * What Get-IsolatedContainer shows: the containers this module made, in any
 * state, whose names match; with `all`, also the ones it did not make. A
 * name given without wildcards always finds its container, made here or not,
 * so any container can be inspected by name.
 */
export function selectListed(containers: readonly ContainerInfo[], patterns: readonly string[], all: boolean): ContainerInfo[] {
  const matchers = patterns.map((pattern) => ({ regexp: wildcardToRegExp(pattern), literal: !hasWildcard(pattern) }));
  return containers.filter((c) => matchers.some((m) => m.regexp.test(c.name) && (all || c.managed || m.literal)));
}

/**
 * The order container.list answers in: by name, case-insensitively (names
 * are), ordinal so that it is the same under every locale; a name two
 * backends both use (containers this module did not make, with `all`) in
 * backend order, then by id. Stable: the same containers always come back in
 * the same order.
 */
export function sortListed(containers: readonly ContainerInfo[]): ContainerInfo[] {
  const ordinal = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...containers].sort((a, b) =>
    ordinal(a.name.toLowerCase(), b.name.toLowerCase()) || ordinal(a.name, b.name) || ordinal(a.backend, b.backend) || ordinal(a.id, b.id));
}

/** A command on one existing container: `act` gets the backend that holds it. */
function containerCommand<S extends z.ZodType<{ name: string }>, R extends z.ZodType>(definition: {
  name: string;
  summary: string;
  args: S;
  response: R;
  act(backend: Backend, args: z.infer<S>, context: CommandContext): Promise<z.infer<R>>;
}) {
  const { act, ...rest } = definition;
  return defineCommand({ ...rest, run: async (args, context) => act(await requireBackendFor(args.name, context), args, context) });
}

export const containerGet = containerCommand({
  name: 'container.get',
  summary: 'One container by exact name, from whichever backend holds it.',
  args: z.strictObject({ name: containerNameSchema }),
  response: responses['container.get'],
  act: (backend, args, context) => backend.inspect(args.name, context),
});

export const containerProcesses = containerCommand({
  name: 'container.processes',
  summary: "The container's processes as it reports them, each tied to its host PID when the isolation check's own match confirms it.",
  args: z.strictObject({ name: containerNameSchema }),
  response: responses['container.processes'],
  async act(backend, args, context) {
    // The claimed PIDs are all the verdict needs to confirm (or refuse) each process's host PID.
    const { snapshot, items } = await gatherEvidence([{ name: args.name, source: backend }], { scope: context, snapshot: 'claimed' });
    const [item] = items;
    if (!item) throw new CoreError('Internal', `The evidence for '${args.name}' is missing.`);
    if (item.error) throw item.error;
    const { evidence } = item;
    if (evidence.processesError) throw evidence.processesError;
    const { processes } = judgeEvidence(evidence, snapshot, evidence.info.isolation);
    return { name: args.name, backend: backend.name, processes };
  },
});

export const containerStop = containerCommand({
  name: 'container.stop',
  summary: 'Stops a container: SIGTERM (or the backend equivalent), then kill after the timeout.',
  args: z.strictObject({
    name: containerNameSchema,
    timeoutSeconds: integerField({ field: 'timeoutSeconds', label: 'The stop timeout', unit: 'seconds', min: 0, max: 3600 }).default(10),
  }),
  response: responses['container.stop'],
  act: (backend, args, context) => backend.stop(args.name, args.timeoutSeconds, context),
});

export const containerRemove = containerCommand({
  name: 'container.remove',
  summary: 'Removes a container and everything it holds; -Force also removes a running one.',
  args: z.strictObject({ name: containerNameSchema, force: z.boolean().default(false) }),
  response: responses['container.remove'],
  async act(backend, args, context) {
    await backend.remove(args.name, args.force, context);
    return { name: args.name, backend: backend.name, removed: true as const };
  },
});

function unsupported(backend: Backend, what: string, name: string): CoreError {
  return new CoreError('BackendOperationNotSupported', `The ${backend.name} backend cannot ${what} (container '${name}').`, { details: { name, backend: backend.name } });
}

export const containerStart = containerCommand({
  name: 'container.start',
  summary: 'Starts an exited container again with the isolation, image and command it was created with; a running one is answered as is.',
  args: z.strictObject({ name: containerNameSchema }),
  response: responses['container.start'],
  async act(backend, args, context) {
    if (!backend.start) throw unsupported(backend, 'start a stopped container', args.name);
    return backend.start(args.name, context);
  },
});

/** Largest log answer: the module asks again (follow) for more. */
export const LOG_MAX_BYTES = 4 * 1024 * 1024;

export const containerLogs = containerCommand({
  name: 'container.logs',
  summary: "The container's output: the last lines, lines since a time, or (follow) what came after a cursor an earlier answer gave.",
  args: z.strictObject({
    name: containerNameSchema,
    tail: integerField({ field: 'tail', label: 'The number of lines to read', unit: 'lines', min: 0, max: 1_000_000 }).optional(),
    since: utcTimeField.optional(),
    cursor: z.string().min(1).max(64).optional(),
    maxBytes: z.number().int().min(1024).max(LOG_MAX_BYTES).default(LOG_MAX_BYTES),
  }),
  response: responses['container.logs'],
  async act(backend, args, context) {
    if (!backend.logs) throw unsupported(backend, "read a container's output", args.name);
    const chunk = await backend.logs(args.name, { tail: args.tail ?? null, since: args.since ?? null, cursor: args.cursor ?? null, maxBytes: args.maxBytes }, context);
    return { name: args.name, backend: backend.name, ...chunk };
  },
});

export const EXEC_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export const containerExec = containerCommand({
  name: 'container.exec',
  summary: 'Runs a command (an argument array, never through a shell) in a running container; its output (bounded) and exit code.',
  args: z.strictObject({
    name: containerNameSchema,
    command: commandField({ required: true }),
    env: environmentField.default({}),
    workingDir: workingDirectoryField({ windows: false }).optional(),
    user: userField.optional(),
    timeoutSeconds: integerField({ field: 'timeoutSeconds', label: 'The command timeout', unit: 'seconds', min: 1, max: 3600 }).default(60),
    maxOutputBytes: z.number().int().min(1024).max(EXEC_MAX_OUTPUT_BYTES).default(1024 * 1024),
  }),
  response: responses['container.exec'],
  async act(backend, args, context) {
    if (!backend.exec) throw unsupported(backend, 'run a command in a container', args.name);
    const result = await backend.exec(args.name, {
      command: args.command, env: args.env, workingDir: args.workingDir ?? null, user: args.user ?? null,
      timeoutSeconds: args.timeoutSeconds, maxOutputBytes: args.maxOutputBytes,
    }, context);
    if (result.truncated) context.warning(`The output of the command in '${args.name}' was cut at ${args.maxOutputBytes} bytes per stream.`);
    return { name: args.name, backend: backend.name, command: args.command, ...result };
  },
});

export const containerCommands = [containerCreate, containerList, containerGet, containerProcesses, containerStop, containerStart, containerLogs, containerExec, containerRemove];
