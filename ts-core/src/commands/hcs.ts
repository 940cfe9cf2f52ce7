/**
 * HCS diagnostics: what the Host Compute Service itself says, through the
 * hcs backend. The container cmdlets reach the same backend with
 * -Backend hcs; these commands exist for the things only HCS knows (utility
 * VMs and their VM GUIDs) and for the Windows end-to-end checks
 * (tests/pester/Hcs.Windows.Tests.ps1).
 */
import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { getBackend } from '../backends/registry.js';
import type { HcsExtras } from '../backends/hcs/index.js';
import type { Backend } from '../backends/types.js';
import { takeHostSnapshot } from '../processes/snapshot.js';
import { judge } from '../isolation/verdict.js';

const containerName = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => !/[\0\r\n]/.test(s), 'a compute system id cannot contain NUL or line breaks');

function hcs(): Backend & HcsExtras {
  return getBackend('hcs') as Backend & HcsExtras;
}

export const hcsSystems = defineCommand({
  name: 'hcs.systems',
  summary: 'Every compute system HCS lists (process-isolated containers, Hyper-V containers, utility VMs) with its role and VM GUID.',
  args: z.strictObject({}),
  async run() {
    return { systems: await hcs().computeSystems() };
  },
});

export const hcsProcesses = defineCommand({
  name: 'hcs.processes',
  summary: "A container's processes as HCS reports them (HcsGetComputeSystemProperties, ProcessList).",
  args: z.strictObject({ name: containerName }),
  async run(args) {
    const backend = hcs();
    const container = await backend.inspect(args.name);
    return { container, processes: await backend.processes(args.name) };
  },
});

export const hcsStop = defineCommand({
  name: 'hcs.stop',
  summary: 'Shuts a running HCS container down (terminating it when the shutdown takes longer than timeoutSeconds), or terminates it at once.',
  args: z.strictObject({ name: containerName, timeoutSeconds: z.number().min(0).max(3600).default(10), terminate: z.boolean().default(false) }),
  async run(args, ctx) {
    const backend = hcs();
    return { container: args.terminate ? await backend.terminate(args.name) : await backend.stop(args.name, args.timeoutSeconds, ctx) };
  },
});

export const hcsIsolation = defineCommand({
  name: 'hcs.isolation',
  summary: "The isolation verdict for one HCS container: HCS's process list and utility VM against one host process snapshot.",
  args: z.strictObject({ name: containerName, expected: z.enum(['Process', 'HyperV']).optional() }),
  async run(args, ctx) {
    const backend = hcs();
    const container = await backend.inspect(args.name);
    ctx.progress('Checking isolation', `Reading the processes of '${container.name}' from HCS`);
    const containerProcesses = await backend.processes(args.name);
    ctx.progress('Checking isolation', 'Reading the host process table');
    const snapshot = await takeHostSnapshot();
    const worker = await backend.worker(args.name, snapshot.processes);
    const verdict = judge(
      {
        container: { name: container.name, id: container.id, backend: 'hcs', configuredIsolation: container.isolation },
        containerProcesses,
        snapshot,
        worker,
        gaps: [],
      },
      args.expected ?? container.isolation,
    );
    return { container, containerProcesses, worker, verdict };
  },
});
