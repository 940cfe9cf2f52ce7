import type { CommandDefinition } from '../protocol/dispatcher.js';
import { hostInfo, ping, sleep } from './host.js';
import { isolationCompatibility } from './policy.js';
import { hostProcesses } from './processes.js';
import { hcsSystems } from './hcs.js';
import { containerCommands } from './container.js';
import { convergeCommands } from './converge.js';
import { imageCommands } from './image.js';
import { isolationCommands } from './isolation.js';

/** Every command the core serves. Add new ones here, one per line. */
export const allCommands: readonly CommandDefinition[] = [
  hostInfo,
  ping,
  sleep,
  hostProcesses,
  isolationCompatibility,
  hcsSystems,
  ...containerCommands,
  ...convergeCommands,
  ...imageCommands,
  ...isolationCommands,
] as readonly CommandDefinition[];
