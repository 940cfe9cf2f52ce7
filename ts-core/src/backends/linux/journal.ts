/**
 * Journals of operations that leave half-made things when their core is
 * killed: a create (container directory, runc container, QEMU process) and an
 * import (images/.import-*). A journal names the core that runs the operation
 * by identity (PID + start time, so a reused PID is not mistaken for it) and,
 * for a utility VM, the QEMU process it launched. Containers outlive cores by
 * design, so recovery is not tied to a core's exit: the next linux-backend
 * command of any core rolls back what a dead core left (recovery.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isRunning, readProcessStat } from '../../processes/procfs/index.js';

export const CREATE_JOURNAL = '.create-journal.json';
export const IMPORT_JOURNAL = '.import-journal.json';

const identitySchema = z.object({ pid: z.number().int().positive(), startTimeMs: z.number() });
export type ProcessIdentity = z.infer<typeof identitySchema>;

const journalSchema = z.object({
  version: z.literal(1),
  operation: z.enum(['create', 'import']),
  name: z.string(),
  owner: identitySchema,
  startedAt: z.string(),
  /** The QEMU process a HyperV create launched, once it has. */
  worker: identitySchema.nullable().default(null),
});
export type Journal = z.infer<typeof journalSchema>;

let self: ProcessIdentity | undefined;

/** This core's identity. */
export function coreIdentity(): ProcessIdentity {
  if (!self) {
    const stat = readProcessStat(process.pid);
    self = { pid: process.pid, startTimeMs: stat?.startTimeMs ?? -1 };
  }
  return self;
}

/** The very process (PID and start time agree) still runs. */
export function isProcessAlive(identity: ProcessIdentity): boolean {
  return isRunning(identity);
}

export function writeJournal(dir: string, file: string, journal: Omit<Journal, 'version' | 'owner' | 'startedAt' | 'worker'> & { worker?: ProcessIdentity | null }): void {
  const full: Journal = { version: 1, owner: coreIdentity(), startedAt: new Date().toISOString(), worker: null, ...journal };
  const target = path.join(dir, file);
  fs.writeFileSync(`${target}.tmp`, `${JSON.stringify(full)}\n`, { mode: 0o600 });
  fs.renameSync(`${target}.tmp`, target);
}

/** Adds the launched QEMU process to a create journal (before the VM is ready, so a killed core's VM is found). */
export function recordJournalWorker(dir: string, worker: ProcessIdentity): void {
  const journal = readJournal(path.join(dir, CREATE_JOURNAL));
  if (journal) writeJournal(dir, CREATE_JOURNAL, { ...journal, worker });
}

export function readJournal(file: string): Journal | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = journalSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function removeJournal(dir: string, file: string): void {
  fs.rmSync(path.join(dir, file), { force: true });
}
