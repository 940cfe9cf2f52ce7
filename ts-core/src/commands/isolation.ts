import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { CoreError, toCoreError } from '../protocol/errors.js';
import { getBackend } from '../backends/registry.js';
import type { LinuxBackend } from '../backends/linux/index.js';
import { requireBackendFor } from '../backends/locate.js';
import { judge } from '../isolation/verdict.js';
import { takeHostSnapshot } from '../processes/snapshot.js';
import type { Backend, ContainerInfo, ContainerProcess, Isolation, WorkerClaim } from '../backends/types.js';
import type { ContainerProcessRecord } from './container.js';

const isolationSchema = z.enum(['Process', 'HyperV']);

interface Gathered {
  name: string;
  backend: Backend | null;
  info: ContainerInfo | null;
  processes: ContainerProcess[];
  worker: WorkerClaim | null;
  gaps: string[];
  error: { code: string; message: string } | null;
}

/**
 * Tests the isolation of a batch of containers against ONE host snapshot:
 * first every container's own process list, then the snapshot, then the
 * worker claims (which are checked against that snapshot). A pipeline of
 * Test-ContainerIsolation sends one batch, so twenty containers cost one
 * reading of the host's process table, and every verdict judges the same
 * picture of the host.
 */
export const isolationTest = defineCommand({
  name: 'isolation.test',
  summary: 'Observes the isolation of containers (one host snapshot for the batch) and judges it against the expectation.',
  args: z.strictObject({
    names: z.array(z.string().min(1).max(200)).min(1).max(1000),
    expected: z.record(z.string(), isolationSchema).default({}),
  }),
  async run(args, context) {
    const names = [...new Set(args.names)];
    const gathered: Gathered[] = names.map((name) => ({ name, backend: null, info: null, processes: [], worker: null, gaps: [], error: null }));
    // Where each container lives; the linux backend answers for all of its containers at once.
    const linuxNames: string[] = [];
    for (const item of gathered) {
      try {
        item.backend = await requireBackendFor(item.name);
        if (item.backend.name === 'linux') linuxNames.push(item.name);
        else item.info = await item.backend.inspect(item.name);
      } catch (error) {
        const e = toCoreError(error);
        item.error = { code: e.code, message: e.message };
      }
    }
    if (linuxNames.length > 0) {
      const infos = await (getBackend('linux') as LinuxBackend).inspectMany(linuxNames);
      for (const item of gathered) {
        const info = infos.get(item.name);
        if (info instanceof CoreError) item.error = { code: info.code, message: info.message };
        else if (info) item.info = info;
      }
    }
    for (const [i, item] of gathered.entries()) {
      if (!item.backend || item.error) continue;
      context.progress('Testing container isolation', `Listing the processes of '${item.name}'`, Math.round((50 * i) / gathered.length));
      try {
        item.processes = await item.backend.processes(item.name);
      } catch (error) {
        item.gaps.push(`The ${item.backend.name} backend could not list the container's processes: ${toCoreError(error).message}`);
      }
    }
    context.progress('Testing container isolation', 'Reading the host process table', 50);
    const snapshot = await takeHostSnapshot();
    for (const item of gathered) {
      if (!item.backend || item.error) continue;
      try {
        item.worker = await item.backend.worker(item.name, snapshot.processes);
      } catch (error) {
        item.gaps.push(`The ${item.backend.name} backend could not name the container's worker process: ${toCoreError(error).message}`);
      }
    }
    const results = gathered.map((item) => {
      if (item.error || !item.info || !item.backend) {
        return { name: item.name, error: item.error };
      }
      const expected: Isolation = args.expected[item.name] ?? item.info.isolation;
      const verdict = judge({
        container: { name: item.name, id: item.info.id, backend: item.backend.name, configuredIsolation: item.info.isolation },
        containerProcesses: item.processes,
        snapshot,
        worker: item.worker,
        gaps: item.gaps,
      }, expected);
      const containerProcesses: ContainerProcessRecord[] = item.processes.map((p) => {
        const match = verdict.hostMatches.find((m) => m.containerPid === p.containerPid && m.name === p.name);
        const hostPid = match?.matched ? match.hostPid : null;
        return { ...p, containerName: item.name, hostPid, visibleOnHost: hostPid !== null };
      });
      return {
        name: item.name,
        backend: item.backend.name,
        configuredIsolation: item.info.isolation,
        expectedIsolation: expected,
        observedIsolation: verdict.observed,
        passed: verdict.passed,
        reason: verdict.summary,
        reasons: verdict.reasons,
        containerProcesses,
        hostMatches: verdict.hostMatches,
        worker: verdict.worker,
        gaps: verdict.gaps,
        snapshotTakenAtMs: verdict.snapshotTakenAtMs,
        error: null,
      };
    });
    return { snapshotTakenAtMs: snapshot.takenAtMs, hostProcessCount: snapshot.processes.length, results };
  },
});

export const isolationCommands = [isolationTest];
