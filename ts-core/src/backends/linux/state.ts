import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CoreError } from '../../protocol/errors.js';
import { containerDir, stateDir } from '../../paths.js';
import { readJsonDocument } from '../../util/jsonDocument.js';
import { isolationSchema } from '../../domain/isolation.js';
import { mountsUnder } from './rootfsMount.js';

/**
 * The linux backend's on-disk state, shared by its runtimes (runc for
 * process isolation, QEMU for the utility VM):
 *
 *   <state>/runc/                  runc --root (0700), never the system default
 *   <state>/containers/<name>/     one per container, reserved by mkdir (0700)
 *       container.json             ContainerMetadata (below), replaced atomically
 *       config.json, rootfs/       the OCI bundle (runc); rootfs/ is an overlay mount of the
 *       upper/, work/              image's rootfs (upper/ holds the container's writes), or a copy where
 *                                  overlayfs cannot be used (runtimeData.rootfs says which)
 *       container.log              the container's stdout and stderr
 *       runc.log                   runc's own log (json)
 *
 * Runtimes keep what only they need under `runtimeData` and in their own
 * files beside these.
 */

export const METADATA_FILE = 'container.json';
export const LOG_FILE = 'container.log';

/**
 * container.json, version 1: what cores before the hardening work wrote (and
 * still read, so a container made by an older module is found by a newer
 * one). Kept as it was; readMetadata migrates it to the current shape.
 */
export const containerMetadataV1Schema = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  backend: z.literal('linux'),
  runtime: z.enum(['runc', 'qemu']),
  isolation: isolationSchema,
  image: z.string(),
  command: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  workingDir: z.string(),
  hostname: z.string(),
  memoryMB: z.number().nullable(),
  cpuCount: z.number().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  /** runc container id / VM id. */
  runtimeId: z.string(),
  /** Host PID of the container's main process (runc init → the command), when the host sees it. */
  hostPid: z.number().int().positive().nullable(),
  hostPidStartTimeMs: z.number().nullable(),
  /** Host PID of the worker (QEMU) that hosts a utility-VM container. */
  workerPid: z.number().int().positive().nullable(),
  workerStartTimeMs: z.number().nullable(),
  /** Set when this module stopped the container and saw the main process end. */
  stoppedAt: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  cgroupsPath: z.string().nullable(),
  runtimeData: z.record(z.string(), z.unknown()),
});

/** The user the container's process runs as (imageUser.ts), as resolved at create. */
export const containerUserSchema = z.object({
  spec: z.string(),
  uid: z.number().int().nonnegative(),
  gid: z.number().int().nonnegative(),
  additionalGids: z.array(z.number().int().nonnegative()),
  name: z.string().nullable(),
});

/** container.json, version 2 (current): version 1 plus the user and the user-namespace choice. */
export const CONTAINER_METADATA_VERSION = 2;
export const containerMetadataSchema = containerMetadataV1Schema.extend({
  schemaVersion: z.literal(CONTAINER_METADATA_VERSION),
  /** null: root, as every version-1 container ran. */
  user: containerUserSchema.nullable(),
  /** The container's root is mapped to an unprivileged host uid range (runcRuntime.ts). */
  userNamespace: z.object({ hostUid: z.number().int().positive(), size: z.number().int().positive() }).nullable(),
});
export type ContainerMetadata = z.infer<typeof containerMetadataSchema>;

/** Version 1 → 2: those containers ran as root in the host's user namespace, so that is what they record. */
export function migrateContainerMetadata(v1: z.infer<typeof containerMetadataV1Schema>): ContainerMetadata {
  return { ...v1, schemaVersion: 2, user: null, userNamespace: null };
}

/** Any known version of container.json, as the current shape; a newer version is refused by name. */
export function parseContainerMetadata(raw: unknown): { data: ContainerMetadata } | { error: string } {
  const version = raw && typeof raw === 'object' ? (raw as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (typeof version === 'number' && version > CONTAINER_METADATA_VERSION) {
    return { error: `was written by a newer version of the module (schemaVersion ${version}; this one reads up to ${CONTAINER_METADATA_VERSION}). Update the module` };
  }
  if (version === 1) {
    const v1 = containerMetadataV1Schema.safeParse(raw);
    return v1.success ? { data: migrateContainerMetadata(v1.data) } : { error: `does not match the expected shape (version 1):\n${z.prettifyError(v1.error)}` };
  }
  const parsed = containerMetadataSchema.safeParse(raw);
  return parsed.success ? { data: parsed.data } : { error: `does not match the expected shape:\n${z.prettifyError(parsed.error)}` };
}

export function containersRoot(): string {
  return path.join(stateDir(), 'containers');
}

export function runcRoot(): string {
  return path.join(stateDir(), 'runc');
}

export function metadataFile(name: string): string {
  return path.join(containerDir(name), METADATA_FILE);
}

/**
 * cgroups are machine-wide while state directories are not: the path carries
 * a short hash of the state directory so two state dirs (tests, users) can
 * hold containers of the same name.
 */
export function cgroupsPathFor(name: string): string {
  const tag = createHash('sha256').update(stateDir()).digest('hex').slice(0, 10);
  return `/windowscontainers/${tag}-${name}`;
}

/** Creates <state>/containers and <state>/runc with mode 0700 if missing. */
export function ensureStateLayout(): void {
  for (const dir of [containersRoot(), runcRoot()]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }
}

/**
 * Reserves the name: mkdir is atomic, so of two creates racing for one name
 * (in any number of processes) exactly one wins.
 */
export function reserveContainerDir(name: string): string {
  ensureStateLayout();
  const dir = containerDir(name);
  const taken = (existing: string) => new CoreError('ContainerAlreadyExists',
    existing === name
      ? `A container named '${name}' already exists. Choose another name, or remove it first (Remove-IsolatedContainer -Name ${name} -Force).`
      : `A container named '${existing}' already exists, and names differ by more than case ('${name}' is the same name). Choose another name, or remove it first (Remove-IsolatedContainer -Name ${existing} -Force).`,
    { details: { name, existing } });
  // Names are case-insensitive, as on Windows: 'Web' and 'web' are one name.
  const sameName = listContainerNames().find((n) => sameContainerName(n, name));
  if (sameName !== undefined) throw taken(sameName);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw taken(name);
    throw error;
  }
  // Two creates racing with names that differ only by case both got here:
  // both give way (neither is left holding a name the other shares).
  const rival = listContainerNames().find((n) => n !== name && sameContainerName(n, name));
  if (rival !== undefined) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw taken(rival);
  }
  return dir;
}

function sameContainerName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * The name a container is stored under, for a name given in any case
 * (lookups are case-insensitive, the stored name keeps its case); the
 * name itself when no container has it.
 */
export function storedContainerName(name: string): string {
  if (fs.existsSync(containerDir(name))) return name;
  return listContainerNames().find((n) => sameContainerName(n, name)) ?? name;
}

export function writeMetadata(metadata: ContainerMetadata): void {
  const file = metadataFile(metadata.name);
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(metadata, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
}

export function containerExists(name: string): boolean {
  return fs.existsSync(containerDir(storedContainerName(name)));
}

function notFound(name: string): CoreError {
  return new CoreError('ContainerNotFound',
    `There is no container named '${name}'. List the containers with Get-IsolatedContainer.`, { details: { name } });
}

function corrupt(name: string, file: string, why: string, cause?: unknown): CoreError {
  return new CoreError('ContainerStateCorrupt',
    `The state of container '${name}' is damaged: ${file} ${why}. Remove it with Remove-IsolatedContainer -Name ${name} -Force, which cleans up by name.`,
    { cause, details: { name, path: file } });
}

/** The container's metadata; ContainerNotFound / ContainerStateCorrupt (with the file's path) otherwise. */
export function readMetadata(given: string): ContainerMetadata {
  const name = storedContainerName(given);
  const file = metadataFile(name);
  // Any known version; parseContainerMetadata migrates an older one and names a newer one.
  const raw = readJsonDocument(file, z.unknown(), (problem) => corrupt(name, file, `is not valid JSON (${problem.message})`, problem.cause));
  if (raw === null) {
    if (fs.existsSync(containerDir(name))) throw corrupt(name, file, 'is missing');
    throw notFound(name);
  }
  const parsed = parseContainerMetadata(raw);
  if ('error' in parsed) throw corrupt(name, file, parsed.error);
  if (parsed.data.name !== name) throw corrupt(name, file, `names another container ('${parsed.data.name}')`);
  return parsed.data;
}

/** Names of every container directory (temporary and hidden entries excluded). */
export function listContainerNames(): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(containersRoot(), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/** A container directory younger than this without metadata is one being created right now. */
export const RESERVATION_GRACE_MS = 30_000;

export function isFreshReservation(name: string): boolean {
  try {
    const stat = fs.statSync(containerDir(name));
    return !fs.existsSync(metadataFile(name)) && Date.now() - stat.mtimeMs < RESERVATION_GRACE_MS;
  } catch {
    return false;
  }
}

export function removeContainerDir(given: string): void {
  const name = storedContainerName(given);
  const dir = containerDir(name);
  if (!fs.existsSync(dir)) return;
  // Never delete through a mount (an overlay rootfs the runtime could not unmount): that would reach into the image.
  const mounted = mountsUnder(dir);
  if (mounted.length > 0) {
    throw new CoreError('RuntimeFailed',
      `The directory of container '${name}' still has mounts (${mounted.map((m) => m.mountPoint).join(', ')}), so it was not deleted. Unmount them (umount -l <path>) and run Remove-IsolatedContainer -Name ${name} -Force again.`,
      { details: { name, mounts: mounted.map((m) => m.mountPoint) } });
  }
  // Rename out of the way first: the name is free again at once, and a
  // half-removed directory is never mistaken for a container.
  const doomed = path.join(containersRoot(), `.removing-${name}-${randomBytes(4).toString('hex')}`);
  try {
    fs.renameSync(dir, doomed);
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  fs.rmSync(doomed, { recursive: true, force: true });
}
