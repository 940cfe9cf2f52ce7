import { z } from 'zod';

/**
 * The parts of Docker Engine API responses the backend reads. Everything a
 * daemon sends is untrusted: the client validates each body with these and
 * reports DockerResponseInvalid when one does not fit. Unknown fields are
 * dropped, so newer daemons that add fields still pass.
 */

const labels = z.record(z.string(), z.string()).nullish().transform((v) => v ?? {});
const stringList = z.array(z.string()).nullish().transform((v) => v ?? []);

export const errorBodySchema = z.object({ message: z.string() });

export const versionSchema = z.object({
  Version: z.string(),
  ApiVersion: z.string().regex(/^\d+\.\d+$/),
  MinAPIVersion: z.string().regex(/^\d+\.\d+$/).optional(),
  Os: z.string(),
  Arch: z.string().optional(),
  KernelVersion: z.string().optional(),
});
export type DockerVersion = z.infer<typeof versionSchema>;

export const runtimeSchema = z.object({
  path: z.string().optional(),
  runtimeArgs: stringList.optional(),
});

export const infoSchema = z.object({
  OSType: z.string(),
  ServerVersion: z.string(),
  OperatingSystem: z.string().optional(),
  Name: z.string().optional(),
  /** Windows only: the daemon's default isolation (`process` or `hyperv`); empty on Linux. */
  Isolation: z.string().optional(),
  Runtimes: z.record(z.string(), runtimeSchema).nullish().transform((v) => v ?? {}),
  DefaultRuntime: z.string().optional(),
  DockerRootDir: z.string().optional(),
  Driver: z.string().optional(),
  Containers: z.number().int().optional(),
  ContainersRunning: z.number().int().optional(),
});
export type DockerInfo = z.infer<typeof infoSchema>;

export const containerSummarySchema = z.object({
  Id: z.string().regex(/^[0-9a-f]{64}$/),
  Names: stringList,
  Image: z.string(),
  State: z.string(),
  Labels: labels,
});
export const containerListSchema = z.array(containerSummarySchema);
export type DockerContainerSummary = z.infer<typeof containerSummarySchema>;

export const containerInspectSchema = z.object({
  Id: z.string().regex(/^[0-9a-f]{64}$/),
  Name: z.string(),
  Created: z.string(),
  Path: z.string().optional(),
  Args: stringList.optional(),
  Config: z.object({
    Image: z.string(),
    Cmd: stringList,
    Entrypoint: stringList.optional(),
    Labels: labels,
  }),
  State: z.object({
    Status: z.string(),
    Running: z.boolean(),
    Pid: z.number().int().min(0),
    ExitCode: z.number().int(),
    StartedAt: z.string().optional(),
  }),
  HostConfig: z.object({
    Isolation: z.string().optional(),
    Runtime: z.string().optional(),
  }),
});
export type DockerContainerInspect = z.infer<typeof containerInspectSchema>;

export const topSchema = z.object({
  Titles: z.array(z.string()),
  Processes: z.array(z.array(z.string())).nullish().transform((v) => v ?? []),
});
export type DockerTop = z.infer<typeof topSchema>;

export const createResponseSchema = z.object({
  Id: z.string().regex(/^[0-9a-f]{64}$/),
  Warnings: stringList,
});
