import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { toCoreError } from '../protocol/errors.js';
import { requireBackendFor } from '../backends/locate.js';
import { gatherEvidence, isoOrNull, judgeEvidence, type EvidenceTarget } from '../isolation/evidence.js';
import { CONTAINER_NAME_MAX_LENGTH, quoteValue, validateContainerName } from '../domain/names.js';
import { isolationSchema, type Isolation } from '../domain/isolation.js';
import { toItemError } from '../domain/itemError.js';
import { responses } from '../domain/responses.js';
import { listField, refuse } from '../domain/requestFields.js';
import type { HostMatch, WorkerCheck } from '../domain/verdict.js';
import { toHostProcessRecord } from '../processes/processRecord.js';

/**
 * Tests the isolation of a batch of containers against ONE host snapshot
 * (see isolation/evidence.ts). A pipeline of Test-ContainerIsolation sends
 * one batch, so twenty containers cost one reading of the host's process
 * table, and every verdict judges the same picture of the host.
 */
/** Far longer than a name can be; a bad name shorter than this is that item's own error (InvalidContainerName). */
const testedNameField = z.string().superRefine((name, ctx) => {
  if (name.length > 1024) {
    refuse(ctx, `The container name ${quoteValue(name)} is ${name.length} characters long; a name has at most ${CONTAINER_NAME_MAX_LENGTH}.`, 'names', 'InvalidContainerName');
  }
});

export const isolationTest = defineCommand({
  name: 'isolation.test',
  summary: 'Observes the isolation of containers (one host snapshot for the batch) and judges it against the expectation.',
  args: z.strictObject({
    // Each name is checked on its own below: one bad name in a pipeline is that item's error, not the batch's.
    names: listField(testedNameField, {
      field: 'names', label: 'The list of containers to test', noun: 'container', min: 1, max: 1000,
      fix: 'Give at least one and at most 1000; Test-ContainerIsolation sends a longer pipeline in batches of 1000.',
    }),
    expected: z.record(z.string(), isolationSchema).default({}),
  }),
  response: responses['isolation.test'],
  async run(args, context) {
    const names = [...new Set(args.names)];
    const targets: EvidenceTarget[] = [];
    for (const name of names) {
      try {
        targets.push({ name, source: await requireBackendFor(validateContainerName(name), context) });
      } catch (error) {
        targets.push({ name, source: toCoreError(error) });
      }
    }
    const { snapshot, items } = await gatherEvidence(targets, {
      scope: context,
      snapshot: 'all',
      progress: (status, percent) => context.progress('Testing container isolation', status, percent),
    });
    const takenAt = new Date(snapshot.takenAtMs).toISOString();
    const results = items.map((item) => {
      if (item.error) return { name: item.name, error: toItemError(item.error) };
      const { evidence } = item;
      const expected: Isolation = args.expected[item.name] ?? evidence.info.isolation;
      const { verdict, processes } = judgeEvidence(evidence, snapshot, expected);
      return {
        name: item.name,
        backend: evidence.source.name,
        configuredIsolation: evidence.info.isolation,
        expectedIsolation: expected,
        observedIsolation: verdict.observed,
        decidedBy: verdict.decidedBy,
        containerView: verdict.containerView,
        passed: verdict.passed,
        reason: verdict.summary,
        reasons: verdict.reasons,
        containerProcesses: processes,
        hostMatches: verdict.hostMatches.map(toHostMatchRecord),
        worker: verdict.worker === null ? null : toWorkerCheckRecord(verdict.worker),
        gaps: verdict.gaps,
        snapshotTakenAt: takenAt,
        error: null,
      };
    });
    return { snapshotTakenAt: takenAt, hostProcessCount: snapshot.processes.length, results };
  },
});

function toHostMatchRecord(match: HostMatch) {
  return { ...match, hostProcess: match.hostProcess === null ? null : toHostProcessRecord(match.hostProcess) };
}

function toWorkerCheckRecord(check: WorkerCheck) {
  const { startTimeMs, ...claim } = check.claim;
  return {
    ...check,
    claim: { ...claim, startTime: isoOrNull(startTimeMs) },
    hostProcess: check.hostProcess === null ? null : toHostProcessRecord(check.hostProcess),
  };
}

export const isolationCommands = [isolationTest];
