import type { CommandDefinition } from '../protocol/dispatcher.js';
import { hostInfo, ping, sleep } from './host.js';
import { containerCommands } from './container.js';
import { imageCommands } from './image.js';

/** Every command the core serves. Add new ones here, one import line per file. */
export const allCommands: readonly CommandDefinition[] = [hostInfo, ping, sleep, ...containerCommands, ...imageCommands] as readonly CommandDefinition[];
