import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { takeHostSnapshot } from '../processes/snapshot.js';
import { toHostProcessRecord } from '../processes/processRecord.js';
import { responses } from '../domain/responses.js';

const processName = z.string().min(1).max(256).refine((s) => !s.includes('\0'), 'a process name cannot contain NUL');

/** The host's process table as the verdict sees it; the benchmark and Pester compare it with Get-Process. */
export const hostProcesses = defineCommand({
  name: 'host.processes',
  summary: 'One snapshot of the host process table, optionally filtered by exact names (case-insensitive) or PIDs.',
  args: z.strictObject({
    names: z.array(processName).max(1000).optional(),
    pids: z.array(z.number().int().min(1).max(2 ** 31 - 1)).max(10000).optional(),
  }),
  response: responses['host.processes'],
  async run(args) {
    const snapshot = await takeHostSnapshot(args.pids ? { pids: args.pids } : {});
    const wanted = args.names ? new Set(args.names.map((n) => n.toLowerCase())) : null;
    const processes = wanted ? snapshot.processes.filter((p) => wanted.has(p.name.toLowerCase())) : snapshot.processes;
    return {
      takenAt: new Date(snapshot.takenAtMs).toISOString(),
      processes: processes.map(toHostProcessRecord),
      unreadable: snapshot.unreadable,
    };
  },
});
