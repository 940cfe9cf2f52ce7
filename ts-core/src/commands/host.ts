import os from 'node:os';
import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { PROTOCOL_VERSION } from '../protocol/envelope.js';
import { readHostOs } from '../host/hostInfo.js';
import { defaultIsolation } from '../isolation/defaults.js';
import { probeAll } from '../backends/registry.js';
import { CORE_VERSION } from '../version.js';
import { responses } from '../domain/responses.js';

export const hostInfo = defineCommand({
  name: 'host.info',
  summary: 'What this host is and which backends it can use.',
  args: z.strictObject({
    /** false: skip probes that only creating some containers needs (the KVM test boot), for callers that want the OS. */
    thorough: z.boolean().default(true),
  }),
  response: responses['host.info'],
  async run(args, context) {
    const [hostOs, backends] = await Promise.all([readHostOs(), probeAll(context, { thorough: args.thorough })]);
    return {
      computerName: os.hostname(),
      os: hostOs,
      defaultIsolation: defaultIsolation({ platform: hostOs.platform, hostClass: hostOs.hostClass }),
      backends,
      core: { version: CORE_VERSION, protocolVersion: PROTOCOL_VERSION, node: process.version, pid: process.pid },
    };
  },
});

/** Answers at once: lets the bridge and the benchmark measure a bare round trip. */
export const ping = defineCommand({
  name: 'core.ping',
  summary: 'Round trip with no work: answers the protocol version and the core pid.',
  args: z.strictObject({ echo: z.string().max(4096).optional() }),
  response: responses['core.ping'],
  async run(args) {
    return { protocolVersion: PROTOCOL_VERSION, pid: process.pid, echo: args.echo ?? null };
  },
});

/** For tests of the bridge's timeout: sleeps, bounded. */
export const sleep = defineCommand({
  name: 'core.sleep',
  summary: 'Waits the given milliseconds (at most 10 minutes) and answers.',
  args: z.strictObject({ milliseconds: z.number().int().min(0).max(600_000) }),
  response: responses['core.sleep'],
  async run(args, context) {
    context.verbose(`Sleeping ${args.milliseconds} ms.`);
    await new Promise((resolve) => setTimeout(resolve, args.milliseconds));
    return { slept: args.milliseconds };
  },
});
