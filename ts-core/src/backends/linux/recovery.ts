/**
 * Rolls back what a killed core left half-done, at the next linux-backend
 * command of any core:
 *
 * - a container directory with a create journal whose core is gone: the
 *   runtime's destroy (runc delete, cgroup, overlay, the journal's QEMU by
 *   PID + start time), then the directory; reported with -Verbose. A
 *   container whose create completed has no journal and is never touched.
 * - images/.import-* folders of an import whose core is gone (or, from a
 *   version without journals, older than an hour), and .remove-* /
 *   .removing-* folders a killed remove left (older than a minute, nothing
 *   mounted under them).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CommandContext } from '../../protocol/dispatcher.js';
import { toCoreError } from '../../protocol/errors.js';
import { stateDir } from '../../paths.js';
import { CREATE_JOURNAL, IMPORT_JOURNAL, isProcessAlive, readJournal, type Journal } from './journal.js';
import { mountsUnder } from './rootfsMount.js';
import { containersRoot, readMetadata, removeContainerDir, type ContainerMetadata } from './state.js';

/** Leftovers without a journal (older versions) are only removed when older than this. */
const UNJOURNALED_IMPORT_AGE_MS = 60 * 60 * 1000;
const REMOVAL_LEFTOVER_AGE_MS = 60 * 1000;

export interface RecoveryActions {
  /** Destroys whatever runtime state a half-created container has (runc or QEMU), by name and journal. */
  destroy(name: string, metadata: ContainerMetadata | null, journal: Journal, context: CommandContext): Promise<void>;
}

let running: Promise<void> | undefined;

/**
 * Runs recovery before a linux command. It runs every time, not once per core:
 * a session's core lives as long as the session, and what another session's
 * killed core left must be rolled back by the next command here too. The scan
 * is cheap (a directory listing and a journal read per container); a call
 * while one is running waits for it. Failures are reported, never thrown.
 */
export function runRecovery(actions: RecoveryActions, context: CommandContext): Promise<void> {
  running ??= recoverInterrupted(actions, context)
    .catch((error: unknown) => {
      context.warning(`Recovery of interrupted operations failed: ${toCoreError(error).message}`);
    })
    .finally(() => {
      running = undefined;
    });
  return running;
}

function entries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.lstatSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}

export async function recoverInterrupted(actions: RecoveryActions, context: CommandContext): Promise<void> {
  const containers = containersRoot();
  for (const entry of entries(containers)) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(containers, entry.name);
    if (entry.name.startsWith('.removing-')) {
      if (olderThan(dir, REMOVAL_LEFTOVER_AGE_MS) && mountsUnder(dir).length === 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        context.verbose(`Removed ${dir}, left by a remove that was interrupted.`);
      }
      continue;
    }
    if (entry.name.startsWith('.')) continue;
    const journal = readJournal(path.join(dir, CREATE_JOURNAL));
    if (!journal || journal.operation !== 'create' || isProcessAlive(journal.owner)) continue;
    let metadata: ContainerMetadata | null = null;
    try {
      metadata = readMetadata(entry.name);
    } catch {
      // the create died before (or while) writing it
    }
    context.verbose(`Rolling back container '${entry.name}': the core that was creating it (pid ${journal.owner.pid}) died at ${journal.startedAt} or later.`);
    try {
      await actions.destroy(entry.name, metadata, journal, context);
      removeContainerDir(entry.name);
      context.verbose(`Rolled back the half-created container '${entry.name}'.`);
    } catch (error) {
      context.warning(`The half-created container '${entry.name}' could not be rolled back: ${toCoreError(error).message}`);
    }
  }

  const images = path.join(stateDir(), 'images');
  for (const entry of entries(images)) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(images, entry.name);
    if (entry.name.startsWith('.import-')) {
      const journal = readJournal(path.join(dir, IMPORT_JOURNAL));
      const abandoned = journal ? !isProcessAlive(journal.owner) : olderThan(dir, UNJOURNALED_IMPORT_AGE_MS);
      if (!abandoned) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      context.verbose(`Removed the partial import ${dir}${journal ? ` of image '${journal.name}' (its core, pid ${journal.owner.pid}, died)` : ''}.`);
    } else if (entry.name.startsWith('.remove-') && olderThan(dir, REMOVAL_LEFTOVER_AGE_MS) && mountsUnder(dir).length === 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      context.verbose(`Removed ${dir}, left by an image removal that was interrupted.`);
    }
  }
}
