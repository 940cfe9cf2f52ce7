import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HostProcess } from '../../../../ts-core/src/processes/types.js';

const dir = path.join(import.meta.dirname, 'fixtures');

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
}

export function fixtureText(name: string): string {
  return readFileSync(path.join(dir, name), 'utf8');
}

export function hostProcesses(name: string): HostProcess[] {
  return fixture(name) as HostProcess[];
}
