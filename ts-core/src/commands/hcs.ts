/**
 * HCS diagnostics: what only the Host Compute Service knows, through the hcs
 * backend: every compute system it lists, utility VMs included, with its
 * role and VM GUID. A container's processes, stop and isolation check go
 * through the public commands (container.processes, container.stop,
 * isolation.test), which reach the same backend.
 */
import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { getBackend } from '../backends/registry.js';
import { responses } from '../domain/responses.js';

export const hcsSystems = defineCommand({
  name: 'hcs.systems',
  summary: 'Every compute system HCS lists (process-isolated containers, Hyper-V containers, utility VMs) with its role and VM GUID.',
  args: z.strictObject({}),
  response: responses['hcs.systems'],
  async run(_args, context) {
    return { systems: await getBackend('hcs').computeSystems(context) };
  },
});
