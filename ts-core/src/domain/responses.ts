/**
 * Every command's response body. The handlers' return types come from these
 * (defineCommand ties them), and the build publishes them as JSON Schemas
 * beside the bundle (dist/schemas/<command>.json), which the module's
 * contract test validates real answers against. Timestamps are ISO 8601
 * strings throughout.
 */
import { z } from 'zod';
import { containerInfoSchema, containerProcessSchema, timestampSchema, workerClaimSchema } from './container.js';
import { itemErrorSchema } from './itemError.js';
import { backendNameSchema, isolationSchema, observedIsolationSchema, requestedIsolationSchema } from './isolation.js';
import { containerViewSchema, hostMatchSchema, verdictRuleSchema, workerCheckSchema } from './verdict.js';
import { containerInstanceStateSchema } from './desiredState.js';

/** A host process as it travels: the names of the Get-Process properties it corresponds to, raw numbers. */
export const hostProcessRecordSchema = z.object({
  /** Get-Process Id. */
  id: z.number().int(),
  /** Get-Process ProcessName. */
  processName: z.string(),
  parentProcessId: z.number().int().nullable(),
  /** Get-Process SI (SessionId). */
  sessionId: z.number().int(),
  /** NPM: NonpagedSystemMemorySize64, bytes. */
  nonpagedSystemMemorySize: z.number(),
  /** PM: PagedMemorySize64, bytes. */
  pagedMemorySize: z.number(),
  /** PrivateMemorySize64, bytes. */
  privateMemorySize: z.number(),
  /** WS: WorkingSet64, bytes. */
  workingSet: z.number(),
  /** CPU: TotalProcessorTime in seconds. */
  cpuSeconds: z.number(),
  /** StartTime, ISO 8601. */
  startTime: timestampSchema,
  commandLine: z.string(),
  userName: z.string().nullable(),
  /** Linux: PID in each nested PID namespace, outermost (the host's) first. */
  namespacePids: z.array(z.number().int()),
  pidNamespace: z.string().nullable(),
});
export type HostProcessRecord = z.infer<typeof hostProcessRecordSchema>;

/** A process the container reports, with the host PID only when the verdict matched it to that very host process. */
export const containerProcessRecordSchema = containerProcessSchema.omit({ startTimeMs: true }).extend({
  containerName: z.string(),
  hostPid: z.number().int().nullable(),
  visibleOnHost: z.boolean(),
  startTime: timestampSchema.nullable(),
});
export type ContainerProcessRecord = z.infer<typeof containerProcessRecordSchema>;

/** The verdict's comparisons as they travel: host processes as records, times in ISO 8601. */
export const hostMatchRecordSchema = hostMatchSchema.extend({ hostProcess: hostProcessRecordSchema.nullable() });

export const workerCheckRecordSchema = workerCheckSchema.extend({
  claim: workerClaimSchema.omit({ startTimeMs: true }).extend({ startTime: timestampSchema.nullable() }),
  hostProcess: hostProcessRecordSchema.nullable(),
});

const namedItemErrorSchema = itemErrorSchema.extend({ name: z.string() });

export const backendStatusSchema = z.object({
  name: backendNameSchema,
  usable: z.boolean(),
  reason: z.string(),
  isolations: z.array(isolationSchema),
  details: z.record(z.string(), z.unknown()),
});

/** What the module shows for an image in the linux store. */
function imageRecordSchema() {
  return z.object({
    name: z.string(),
    format: z.string(),
    source: z.string(),
    importedAt: timestampSchema,
    layers: z.number().int(),
    sizeBytes: z.number(),
    files: z.number().int(),
    defaultCommand: z.array(z.string()),
    env: z.array(z.string()),
    workingDir: z.string().nullable(),
    rootfs: z.string(),
  });
}

export const responses = {
  'core.ping': z.object({ protocolVersion: z.number().int(), pid: z.number().int(), echo: z.string().nullable() }),
  'core.sleep': z.object({ slept: z.number().int() }),
  'host.info': z.object({
    computerName: z.string(),
    os: z.object({
      platform: z.string(),
      name: z.string(),
      version: z.string(),
      build: z.number().int().nullable(),
      revision: z.number().int().nullable(),
      hostClass: z.enum(['Server', 'Client']).nullable(),
      architecture: z.string(),
    }),
    defaultIsolation: isolationSchema,
    backends: z.array(backendStatusSchema),
    core: z.object({ version: z.string(), protocolVersion: z.number().int(), node: z.string(), pid: z.number().int() }),
  }),
  'host.processes': z.object({
    takenAt: timestampSchema,
    processes: z.array(hostProcessRecordSchema),
    unreadable: z.array(z.number().int()),
  }),
  'isolation.compatibility': z.object({
    host: z.object({
      platform: z.string(),
      name: z.string(),
      build: z.number().int().nullable(),
      revision: z.number().int().nullable(),
      class: z.enum(['Server', 'Client']).nullable(),
      source: z.enum(['local', 'given']),
    }),
    results: z.array(z.object({
      image: z.string(),
      isolation: isolationSchema.nullable(),
      requestedIsolation: requestedIsolationSchema.nullable(),
      defaulted: z.boolean(),
      allowed: z.boolean().nullable(),
      reason: z.string().nullable(),
      suggestion: z.string().nullable(),
      source: z.enum(['table', 'archivedTable', 'rule', 'unknown']).nullable(),
      windowsImage: z.boolean().nullable(),
      imageBuild: z.number().int().nullable(),
      imageRevision: z.number().int().nullable(),
      imageRelease: z.string().nullable(),
      hostBuild: z.number().int().nullable(),
      error: itemErrorSchema.nullable(),
    })),
  }),
  'hcs.systems': z.object({
    systems: z.array(z.object({
      id: z.string(),
      name: z.string(),
      role: z.enum(['ProcessContainer', 'HyperVContainer', 'GuestContainerVm', 'UtilityVm', 'Other']),
      systemType: z.string(),
      owner: z.string().nullable(),
      state: z.string().nullable(),
      runtimeOsType: z.string().nullable(),
      runtimeId: z.string().nullable(),
      hostingSystemId: z.string().nullable(),
      utilityVmRuntimeId: z.string().nullable(),
      /** Who made it, as far as HCS shows: Docker's v1 containers, or hcsshim's utility VM `<id>@vm`. */
      creator: z.enum(['docker', 'hcsshim']).nullable(),
    })),
  }),
  'container.create': containerInfoSchema.extend({ requestedIsolation: requestedIsolationSchema, isolationDefaulted: z.boolean() }),
  'container.list': z.object({
    containers: z.array(containerInfoSchema),
    errors: z.array(namedItemErrorSchema.extend({ backend: backendNameSchema.nullable() })),
  }),
  'container.get': containerInfoSchema,
  'container.processes': z.object({ name: z.string(), backend: backendNameSchema, processes: z.array(containerProcessRecordSchema) }),
  'container.stop': containerInfoSchema,
  'container.start': containerInfoSchema,
  'container.logs': z.object({
    name: z.string(),
    backend: backendNameSchema,
    lines: z.array(z.object({ stream: z.enum(['output', 'stdout', 'stderr', 'console']), text: z.string(), timestamp: z.string().nullable() })),
    cursor: z.string(),
    running: z.boolean(),
    truncated: z.boolean(),
  }),
  'container.exec': z.object({
    name: z.string(),
    backend: backendNameSchema,
    command: z.array(z.string()),
    exitCode: z.number().int(),
    stdout: z.string(),
    stderr: z.string(),
    truncated: z.boolean(),
  }),
  'container.remove': z.object({ name: z.string(), backend: backendNameSchema, removed: z.literal(true) }),
  'container.converge': containerInstanceStateSchema,
  'container.export': z.object({ instances: z.array(containerInstanceStateSchema) }),
  'image.import': imageRecordSchema(),
  'image.list': z.object({ images: z.array(imageRecordSchema()), errors: z.array(namedItemErrorSchema) }),
  'image.remove': z.object({ name: z.string(), removed: z.literal(true) }),
  'isolation.test': z.object({
    snapshotTakenAt: timestampSchema,
    hostProcessCount: z.number().int(),
    results: z.array(z.union([
      z.object({
        name: z.string(),
        backend: backendNameSchema,
        configuredIsolation: isolationSchema,
        expectedIsolation: isolationSchema,
        observedIsolation: observedIsolationSchema,
        /** The rule that decided observedIsolation. */
        decidedBy: verdictRuleSchema,
        /** Where the container's own process list came from. */
        containerView: containerViewSchema.nullable(),
        passed: z.boolean(),
        reason: z.string(),
        reasons: z.array(z.string()),
        containerProcesses: z.array(containerProcessRecordSchema),
        hostMatches: z.array(hostMatchRecordSchema),
        worker: workerCheckRecordSchema.nullable(),
        gaps: z.array(z.string()),
        /** The snapshot this verdict judged (the same for every result of one request). */
        snapshotTakenAt: timestampSchema,
        error: z.null(),
      }),
      z.object({ name: z.string(), error: itemErrorSchema }),
    ])),
  }),
} as const;

export type ResponseOf<C extends keyof typeof responses> = z.infer<(typeof responses)[C]>;
