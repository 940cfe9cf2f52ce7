/** The isolation verdict's parts as they travel: how each container process compared with the host, and the worker check. */
import { z } from 'zod';
import { hostProcessSchema } from './hostProcess.js';
import { workerClaimSchema } from './container.js';
import { isolationSchema, observedIsolationSchema } from './isolation.js';

/** How one container process compares with the host's table. */
export const hostMatchOutcomeSchema = z.enum([
  /** Same PID, name, start time, NSpid: the host sees this very process. */
  'SameProcess',
  /** No claim and nothing on the host that could be it. */
  'NotOnHost',
  /** Claimed PID is not in the snapshot: exited mid-check, or a wrong claim. */
  'ClaimedPidMissing',
  /** Two or more container processes claim the same host PID: at most one can be right. */
  'ClaimedPidShared',
  /** Claimed PID exists but the host could not read it. */
  'ClaimedPidUnreadable',
  /** Claimed PID runs a process with another name: PID reuse or a wrong claim. */
  'NameMismatch',
  /** Same PID and name, different start time: PID reuse. */
  'StartTimeMismatch',
  /** Same PID and name, but its innermost namespace PID is not the container's PID. */
  'NamespacePidMismatch',
  /** No claim, but a host process with this name has this PID inside a container PID namespace. */
  'UnclaimedInContainerNamespace',
  /** No claim, but an ordinary host process has this name and PID. */
  'UnclaimedHostLookalike',
]);
export type HostMatchOutcome = z.infer<typeof hostMatchOutcomeSchema>;

export const hostMatchSchema = z.object({
  containerPid: z.number().int().nonnegative(),
  name: z.string(),
  /** The host process this was compared with (matched or not), null when there was none. */
  hostPid: z.number().int().nullable(),
  /** That host process as the snapshot saw it, so a person can check the comparison. */
  hostProcess: hostProcessSchema.nullable(),
  matched: z.boolean(),
  outcome: hostMatchOutcomeSchema,
  reason: z.string(),
});
export type HostMatch = z.infer<typeof hostMatchSchema>;

export const workerCheckSchema = z.object({
  claim: workerClaimSchema,
  hostProcess: hostProcessSchema.nullable(),
  alive: z.boolean(),
  tied: z.boolean(),
  reason: z.string(),
});
export type WorkerCheck = z.infer<typeof workerCheckSchema>;

export const verdictSchema = z.object({
  observed: observedIsolationSchema,
  /** First one is the headline; the rest say what else was seen. */
  reasons: z.array(z.string()),
  hostMatches: z.array(hostMatchSchema),
  worker: workerCheckSchema.nullable(),
  gaps: z.array(z.string()),
  /** Snapshot time, so a reader knows which picture of the host was judged. */
  snapshotTakenAtMs: z.number(),
});
export type Verdict = z.infer<typeof verdictSchema>;

export const judgedVerdictSchema = verdictSchema.extend({
  expected: isolationSchema,
  passed: z.boolean(),
  /** One sentence: expected, observed, why. */
  summary: z.string(),
});
export type JudgedVerdict = z.infer<typeof judgedVerdictSchema>;
