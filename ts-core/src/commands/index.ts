import type { CommandDefinition } from '../protocol/dispatcher.js';
import { hostInfo, ping, sleep } from './host.js';
import { hostProcesses } from './processes.js';

/** Every command the core serves. Add new ones here, one import line per file. */
export const allCommands: readonly CommandDefinition[] = [hostInfo, ping, sleep, hostProcesses] as readonly CommandDefinition[];
