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

/**
 * The rule that decided a verdict, machine-readable, so a test (or a person)
 * can tell WHY a container was not called VM-isolated, not only that it was not.
 */
export const verdictRuleSchema = z.enum([
  /** Something could not be gathered (a backend that could not list, an unreadable or forged container view). */
  'evidence-gap',
  /** The container reports no processes. */
  'no-processes',
  /** Every process is the same host process (PID, name, start time, namespace PID): Process. */
  'host-match',
  /** Some processes matched, others did not. */
  'partial-match',
  /** A claimed host PID does not exist (exited during the check, or a wrong claim). */
  'pid-missing',
  /** Several container processes claim one host PID. */
  'pid-shared',
  /** A claimed host PID could not be read. */
  'pid-unreadable',
  /** A claimed host PID runs a process of another name. */
  'name',
  /** A claimed host PID runs a same-named process that started at another time: PID reuse. */
  'start-time',
  /** A claimed host PID is another PID inside its namespace. */
  'namespace-pid',
  /** An unclaimed process looks like a process in a container PID namespace on the host. */
  'namespace-lookalike',
  /** An unclaimed process looks like an ordinary host process (same name and PID). */
  'host-lookalike',
  /** Some host process could not be read and could be the container's. */
  'unreadable-host-process',
  /** Nothing on the host, and the backend names no worker. */
  'no-worker',
  /** The worker named is not the recorded process (PID, name or start time differ) or is gone. */
  'worker-identity',
  /** The worker is alive but nothing ties it to this container (VM id / token). */
  'worker-tie',
  /** Nothing on the host, and this container's own worker is alive and tied: HyperV. */
  'worker',
]);
export type VerdictRule = z.infer<typeof verdictRuleSchema>;

/**
 * Where the container's side of the evidence came from. 'container-procfs'
 * and 'guest-agent' and 'sandbox' are observations independent of the host
 * snapshot; 'host-cgroup' and 'runtime' are read from the host itself (the
 * fallback when the container has no procfs of its own), which the verdict
 * states in containerView.note.
 */
export const containerViewSchema = z.object({
  source: z.enum(['container-procfs', 'host-cgroup', 'runtime', 'guest-agent', 'sandbox']),
  independent: z.boolean(),
  /** Why the view is what it is (a fallback, a bound hit), in words; null when nothing to say. */
  note: z.string().nullable(),
});
export type ContainerView = z.infer<typeof containerViewSchema>;

export const verdictSchema = z.object({
  observed: observedIsolationSchema,
  /** The rule that decided `observed`. */
  decidedBy: verdictRuleSchema,
  /** Where the container's own process list came from; null when the backend did not say. */
  containerView: containerViewSchema.nullable(),
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
