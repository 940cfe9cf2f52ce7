import type { CommandDefinition } from '../protocol/dispatcher.js';
import { hostInfo, ping, sleep } from './host.js';
import { hostProcesses } from './processes.js';
import { containerCommands } from './container.js';
import { imageCommands } from './image.js';
import { isolationCommands } from './isolation.js';

/** Every command the core serves. Add new ones here, one import line per file. */
export const allCommands: readonly CommandDefinition[] = [
  hostInfo, ping, sleep, hostProcesses, ...containerCommands, ...imageCommands, ...isolationCommands,
] as readonly CommandDefinition[];
