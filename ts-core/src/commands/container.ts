import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { CoreError, toCoreError } from '../protocol/errors.js';
import { readHostOs } from '../host/hostInfo.js';
import { resolveIsolation } from '../isolation/defaults.js';
import { evaluateCompatibility, hostFromOs } from './policy.js';
import { autoBackend, getBackend, parseBackendName, probeAll } from '../backends/registry.js';
import { locateBackend, requireBackendFor } from '../backends/locate.js';
import { validateContainerName } from '../backends/linux/names.js';
import { takeLinuxSnapshot } from '../processes/linuxSnapshot.js';
import { sameProcessName, START_TIME_TOLERANCE_MS } from '../isolation/verdict.js';
import type { HostProcess } from '../processes/types.js';
import type { LinuxBackend } from '../backends/linux/index.js';
import type { ContainerInfo, ContainerProcess } from '../backends/types.js';
import { hasWildcard, wildcardToRegExp } from '../util/wildcard.js';

const nameSchema = z.string().min(1).max(200);
const backendSchema = z.enum(['linux', 'docker', 'hcs']);

export const containerCreate = defineCommand({
  name: 'container.create',
  summary: 'Creates and starts a container with the requested isolation.',
  args: z.strictObject({
    name: nameSchema,
    image: z.string().min(1).max(300),
    isolation: z.enum(['Process', 'HyperV', 'Default']).default('Default'),
    command: z.array(z.string().max(65_536)).max(1000).default([]),
    env: z.record(z.string().regex(/^[^=\0]+$/, 'an environment variable name must not contain = or NUL'), z.string()).default({}),
    workingDir: z.string().max(4096).optional(),
    hostname: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}$/).optional(),
    backend: backendSchema.optional(),
    memoryMB: z.number().int().min(6).max(1_048_576).optional(),
    cpuCount: z.number().positive().max(1024).optional(),
  }),
  async run(args, context) {
    const name = validateContainerName(args.name);
    if (args.workingDir !== undefined && !args.workingDir.startsWith('/') && !/^[a-zA-Z]:\\/.test(args.workingDir)) {
      throw new CoreError('InvalidArgument', `The working directory ${JSON.stringify(args.workingDir)} is not an absolute path. Give one such as /tmp.`);
    }
    const backend = args.backend ? getBackend(parseBackendName(args.backend)) : await autoBackend();
    const hostOs = await readHostOs();
    const { isolation, defaulted } = resolveIsolation(args.isolation, { platform: hostOs.platform, hostClass: hostOs.hostClass }, backend.name);
    if (defaulted) {
      context.verbose(`-Isolation Default means ${isolation} here (backend ${backend.name}, ${hostOs.name}${hostOs.hostClass ? `, a Windows ${hostOs.hostClass}` : ''}).`);
    }
    // The module checks this before it calls the core; the check is repeated
    // here so the one-shot CLI and DSC get the same refusal before a backend runs.
    const [verdict] = evaluateCompatibility({ images: [{ reference: args.image }], isolations: [isolation] }, hostFromOs(hostOs));
    if (verdict?.allowed === false) {
      throw new CoreError('ImageIncompatibleWithHost',
        `Cannot create a container from '${args.image}' with ${isolation} isolation on this host: ${verdict.reason ?? ''}${verdict.suggestion ? ` ${verdict.suggestion}` : ''}`,
        { details: { image: args.image, isolation, reason: verdict.reason, suggestion: verdict.suggestion, hostBuild: verdict.hostBuild, imageBuild: verdict.imageBuild } });
    }
    // Names are global across backends: commands find containers by name alone.
    const elsewhere = await locateBackend(name, { except: backend.name });
    if (elsewhere) {
      throw new CoreError('ContainerAlreadyExists',
        `A container named '${name}' already exists on the ${elsewhere.name} backend. Choose another name.`, { details: { name, backend: elsewhere.name } });
    }
    const info = await backend.create({
      name,
      image: args.image,
      isolation,
      command: args.command,
      env: args.env,
      workingDir: args.workingDir ?? '',
      hostname: args.hostname ?? '',
      memoryMB: args.memoryMB,
      cpuCount: args.cpuCount,
    }, context);
    return { ...info, requestedIsolation: args.isolation, isolationDefaulted: defaulted };
  },
});

export const containerList = defineCommand({
  name: 'container.list',
  summary: 'Containers on every usable backend, filtered by name patterns (PowerShell wildcards).',
  args: z.strictObject({
    names: z.array(nameSchema).max(1000).default(['*']),
    /** Also containers this module did not make (other Docker containers, HCS systems). */
    all: z.boolean().default(false),
  }),
  async run(args) {
    const patterns = args.names.length > 0 ? args.names : ['*'];
    const regexps = patterns.map(wildcardToRegExp);
    const containers: ContainerInfo[] = [];
    const errors: { name: string; code: string; message: string; backend: string }[] = [];
    // Listing boots nothing: no KVM test boot (that belongs to creating a HyperV container).
    const statuses = await probeAll({ thorough: false });
    for (const status of statuses) {
      if (!status.usable) continue;
      const backend = getBackend(status.name);
      try {
        if (backend.name === 'linux') {
          const { containers: found, problems } = await (backend as LinuxBackend).listWithProblems({ all: true });
          containers.push(...found);
          for (const problem of problems) {
            if (regexps.some((r) => r.test(problem.name))) {
              errors.push({ name: problem.name, code: problem.error.code, message: problem.error.message, backend: 'linux' });
            }
          }
        } else {
          const found = await backend.list({ all: true });
          // On Windows HCS also sees Docker's containers (same id): Docker's record, with its name and image, wins.
          const listed = new Set(containers.map((c) => c.id));
          containers.push(...(backend.name === 'hcs' ? found.filter((c) => !listed.has(c.id)) : found));
        }
      } catch (error) {
        const coreError = toCoreError(error);
        errors.push({ name: '*', code: coreError.code, message: `The ${backend.name} backend could not list containers: ${coreError.message}`, backend: backend.name });
      }
    }
    const matching = selectListed(containers, patterns, args.all);
    for (const pattern of patterns) {
      if (hasWildcard(pattern)) continue;
      const literal = wildcardToRegExp(pattern);
      if (!matching.some((c) => literal.test(c.name)) && !errors.some((e) => literal.test(e.name))) {
        errors.push({ name: pattern, code: 'ContainerNotFound', message: `There is no container named '${pattern}'.`, backend: '' });
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

export const containerGet = defineCommand({
  name: 'container.get',
  summary: 'One container by exact name, from whichever backend holds it.',
  args: z.strictObject({ name: nameSchema }),
  async run(args) {
    const backend = await requireBackendFor(args.name);
    return backend.inspect(args.name);
  },
});

/** A process the container reports, with the host PID only when the host really shows that very process. */
export interface ContainerProcessRecord extends ContainerProcess {
  containerName: string;
  hostPid: number | null;
  visibleOnHost: boolean;
}

/**
 * Checks a backend's claim that a container process is a given host
 * process: the host must show a process with that PID, the same name, the
 * same start time (when known) and the container PID in its NSpid chain.
 * Only then does the record carry a host PID, because Stop-Process acts on
 * it. Where there is no /proc (Windows) the backend's claim stands.
 */
export function confirmHostPid(process: ContainerProcess, hostByPid: ReadonlyMap<number, HostProcess> | null): number | null {
  if (process.claimedHostPid === null) return null;
  if (hostByPid === null) return process.claimedHostPid;
  const host = hostByPid.get(process.claimedHostPid);
  if (!host || !sameProcessName(host.name, process.name)) return null;
  if (process.startTimeMs !== null && Math.abs(host.startTimeMs - process.startTimeMs) > START_TIME_TOLERANCE_MS) return null;
  if (host.nsPids.length > 0 && !host.nsPids.includes(process.containerPid)) return null;
  return host.pid;
}

export const containerProcesses = defineCommand({
  name: 'container.processes',
  summary: "The container's processes as it reports them, each tied to its host PID when the host can see it.",
  args: z.strictObject({ name: nameSchema }),
  async run(args) {
    const backend = await requireBackendFor(args.name);
    const processes = await backend.processes(args.name);
    const claimed = processes.flatMap((p) => (p.claimedHostPid === null ? [] : [p.claimedHostPid]));
    const hostByPid = process.platform === 'linux' ? new Map(takeLinuxSnapshot({ pids: claimed }).processes.map((h) => [h.pid, h])) : null;
    const records: ContainerProcessRecord[] = processes.map((p) => {
      const hostPid = confirmHostPid(p, hostByPid);
      return { ...p, containerName: args.name, hostPid, visibleOnHost: hostPid !== null };
    });
    return { name: args.name, backend: backend.name, processes: records };
  },
});

export const containerStop = defineCommand({
  name: 'container.stop',
  summary: 'Stops a container: SIGTERM (or the backend equivalent), then kill after the timeout.',
  args: z.strictObject({ name: nameSchema, timeoutSeconds: z.number().int().min(0).max(3600).default(10) }),
  async run(args, context) {
    const backend = await requireBackendFor(args.name);
    return backend.stop(args.name, args.timeoutSeconds, context);
  },
});

export const containerRemove = defineCommand({
  name: 'container.remove',
  summary: 'Removes a container and everything it holds; -Force also removes a running one.',
  args: z.strictObject({ name: nameSchema, force: z.boolean().default(false) }),
  async run(args, context) {
    const backend = await requireBackendFor(args.name);
    await backend.remove(args.name, args.force, context);
    return { name: args.name, backend: backend.name, removed: true };
  },
});

export const containerCommands = [containerCreate, containerList, containerGet, containerProcesses, containerStop, containerRemove];
