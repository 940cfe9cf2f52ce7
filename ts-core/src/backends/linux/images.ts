import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CoreError } from '../../protocol/errors.js';
import { imageDir, imageRootfsDir, stateDir } from '../../paths.js';
import { validateImageName } from './names.js';
import { decompress, readTar, type TarEntry } from './tar.js';
import { ImportBudget, importLimits } from './importLimits.js';
import { IMPORT_JOURNAL, removeJournal, writeJournal } from './journal.js';
import { containersRoot, listContainerNames, readMetadata } from './state.js';
import { overlayLowerDirs } from './rootfsMount.js';
import { readMounts } from '../../processes/procfs/index.js';
import { applyLayer, archivePathParts, emptyStats, type LayerStats } from './layers.js';
import * as jsonDocument from '../../util/jsonDocument.js';
import { readAt } from '../../util/readAt.js';

/**
 * The linux backend's local image store: <state>/images/<name>/{rootfs/,image.json}.
 * Images come from files, never from a registry: a rootfs tarball, a
 * `docker save` archive, or an OCI image layout (directory or tar).
 */

export const imageFormats = ['rootfs', 'docker-archive', 'oci-layout'] as const;
export type ImageFormat = (typeof imageFormats)[number];

export const imageConfigSchema = z.object({
  env: z.array(z.string()),
  entrypoint: z.array(z.string()).nullable(),
  cmd: z.array(z.string()).nullable(),
  workingDir: z.string().nullable(),
  user: z.string().nullable(),
});
export type ImageConfig = z.infer<typeof imageConfigSchema>;

export const imageRecordSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  format: z.enum(imageFormats),
  source: z.string(),
  importedAt: z.string(),
  layers: z.number().int().nonnegative(),
  sizeBytes: z.number().nonnegative(),
  files: z.number().int().nonnegative(),
  config: imageConfigSchema,
});
export type ImageRecord = z.infer<typeof imageRecordSchema>;

const emptyConfig: ImageConfig = { env: [], entrypoint: null, cmd: null, workingDir: null, user: null };

// --- external documents: docker save manifest, OCI index / manifest, image config ---

const dockerManifestSchema = z.array(z.object({
  Config: z.string(),
  RepoTags: z.array(z.string()).nullable().optional(),
  Layers: z.array(z.string()),
})).min(1);

const digestSchema = z.string().regex(/^sha256:[a-f0-9]{64}$/);
const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: digestSchema,
  size: z.number().optional(),
  platform: z.object({ architecture: z.string().optional(), os: z.string().optional() }).optional(),
});
const ociIndexSchema = z.object({ manifests: z.array(descriptorSchema).min(1) });
const ociManifestSchema = z.object({ config: descriptorSchema, layers: z.array(descriptorSchema) });
const imageConfigDocumentSchema = z.object({
  config: z.object({
    Env: z.array(z.string()).nullable().optional(),
    Entrypoint: z.array(z.string()).nullable().optional(),
    Cmd: z.array(z.string()).nullable().optional(),
    WorkingDir: z.string().nullable().optional(),
    User: z.string().nullable().optional(),
  }).nullable().optional(),
}).loose();

function parseJsonDocument<T>(schema: z.ZodType<T>, text: Buffer | string, what: string, source: string): T {
  return jsonDocument.parseJsonDocument(text.toString(), schema, (problem) => problem.kind === 'syntax'
    ? new CoreError('InvalidImageArchive', `${source}: ${what} is not valid JSON (${problem.message}).`, { cause: problem.cause, details: { source } })
    : new CoreError('InvalidImageArchive', `${source}: ${what} does not have the expected shape:\n${problem.message}`, { details: { source } }));
}

function toImageConfig(document: z.infer<typeof imageConfigDocumentSchema>): ImageConfig {
  const config = document.config ?? {};
  return {
    env: config.Env ?? [],
    entrypoint: config.Entrypoint ?? null,
    cmd: config.Cmd ?? null,
    workingDir: config.WorkingDir || null,
    user: config.User || null,
  };
}

/** Files of an outer archive (docker save / OCI tar) or an OCI layout directory, by normalised path. */
interface ArchiveFiles {
  has(name: string): boolean;
  read(name: string): Buffer;
}

function filesFromTar(entries: readonly TarEntry[], source: string): ArchiveFiles {
  const files = new Map<string, TarEntry>();
  for (const entry of entries) files.set(archivePathParts(entry.path, source).join('/'), entry);
  const resolve = (name: string, depth = 0): TarEntry | undefined => {
    const key = archivePathParts(name, source).join('/');
    const entry = files.get(key);
    // Newer `docker save` stores repeated layers as symlinks to blobs/.
    if (entry?.type === 'symlink' && depth < 8) {
      const base = key.split('/').slice(0, -1).join('/');
      return resolve(path.posix.normalize(entry.linkTarget.startsWith('/') ? entry.linkTarget.slice(1) : path.posix.join(base, entry.linkTarget)), depth + 1);
    }
    if (entry?.type === 'hardlink' && depth < 8) return resolve(entry.linkTarget, depth + 1);
    return entry;
  };
  return {
    has: (name) => resolve(name)?.type === 'file',
    read: (name) => {
      const entry = resolve(name);
      if (entry?.type !== 'file') throw new CoreError('InvalidImageArchive', `${source} does not contain ${JSON.stringify(name)}, which its manifest names.`, { details: { source } });
      return entry.data;
    },
  };
}

function filesFromDirectory(directory: string, source: string, budget: ImportBudget): ArchiveFiles {
  const locate = (name: string) => path.join(directory, ...archivePathParts(name, source));
  const root = fs.realpathSync(directory);
  return {
    has: (name) => fs.statSync(locate(name), { throwIfNoEntry: false })?.isFile() ?? false,
    read: (name) => {
      const file = locate(name);
      let real: string;
      try {
        real = fs.realpathSync(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new CoreError('InvalidImageArchive', `${source} does not contain ${JSON.stringify(name)}, which its manifest names.`, { details: { source } });
        if (code === 'ELOOP') throw new CoreError('UnsafeLink', `${source}: ${JSON.stringify(name)} goes through a loop of symbolic links.`, { details: { source } });
        throw error;
      }
      if (!real.startsWith(root + path.sep)) {
        throw new CoreError('UnsafeLink', `${source}: ${JSON.stringify(name)} resolves through a symbolic link to outside the layout directory, so it was not read. Copy the layout with the files themselves (cp -L) and import the copy.`, { details: { source } });
      }
      return readSourceFile(real, `${source} (${name})`, budget);
    },
  };
}

/**
 * Reads a regular file the import was pointed at, bounded: opened without
 * blocking (a FIFO must not hang the core), its type checked on the open
 * descriptor (no race with a rename), its size checked before reading.
 */
function readSourceFile(file: string, source: string, budget: ImportBudget): Buffer {
  const fd = openSource(file, source);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw notRegular(source, stat);
    return readBounded(fd, stat.size, source, budget);
  } finally {
    fs.closeSync(fd);
  }
}

function openSource(file: string, source: string): number {
  try {
    return fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CoreError('InvalidArgument', `The image file ${JSON.stringify(source)} does not exist or cannot be read (${code}). Give the path of a rootfs tarball, a 'docker save' archive or an OCI image layout.`, { cause: error, details: { path: source } });
  }
}

function describeType(stat: fs.Stats): string {
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(source: string, stat: fs.Stats): CoreError {
  return new CoreError('InvalidImageSource',
    `${source} is ${describeType(stat)}, so it was not read. Import takes a regular file (a rootfs tarball, a 'docker save' archive, an OCI layout tar) or a directory (an OCI image layout).`,
    { details: { source } });
}

/** The first `size` bytes of an open regular file; a file larger than the budget allows is refused before any is read. */
function readBounded(fd: number, size: number, source: string, budget: ImportBudget): Buffer {
  const max = budget.limits.maxUncompressedBytes;
  if (size > max) {
    throw new CoreError('FileTooLarge',
      `${source} is ${size} bytes, more than the ${max} bytes an import may read (WINDOWSCONTAINERS_IMPORT_MAX_BYTES; at most 2 GiB per file). Nothing was imported.`,
      { details: { source, size, limit: max } });
  }
  budget.addBytes(size);
  return readAt(fd, size);
}

function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

interface ImagePlan {
  format: ImageFormat;
  config: ImageConfig;
  /** Layers, bottom first; each read only when it is applied. */
  layers: { name: string; entries: () => TarEntry[] }[];
}

function layerFrom(name: string, read: () => Buffer, source: string, budget: ImportBudget): ImagePlan['layers'][number] {
  const layerSource = `${source} (layer ${name})`;
  return { name, entries: () => readTar(decompress(read(), layerSource, budget), layerSource, budget) };
}

function planDockerArchive(files: ArchiveFiles, source: string, budget: ImportBudget): ImagePlan {
  const manifest = parseJsonDocument(dockerManifestSchema, files.read('manifest.json'), 'manifest.json', source)[0]!;
  const config = toImageConfig(parseJsonDocument(imageConfigDocumentSchema, files.read(manifest.Config), manifest.Config, source));
  return {
    format: 'docker-archive',
    config,
    layers: manifest.Layers.map((name) => layerFrom(name, () => files.read(name), source, budget)),
  };
}

function pickManifest(files: ArchiveFiles, index: z.infer<typeof ociIndexSchema>, source: string, depth = 0): z.infer<typeof ociManifestSchema> {
  const preferred = index.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? index.manifests[0]!;
  const text = files.read(blobPath(preferred.digest));
  const raw = parseJsonDocument(z.object({ manifests: z.unknown().optional(), layers: z.unknown().optional() }).loose(), text, preferred.digest, source);
  if (raw.manifests !== undefined && depth < 4) {
    return pickManifest(files, parseJsonDocument(ociIndexSchema, text, preferred.digest, source), source, depth + 1);
  }
  return parseJsonDocument(ociManifestSchema, text, `manifest ${preferred.digest}`, source);
}

function planOciLayout(files: ArchiveFiles, source: string, budget: ImportBudget): ImagePlan {
  const index = parseJsonDocument(ociIndexSchema, files.read('index.json'), 'index.json', source);
  const manifest = pickManifest(files, index, source);
  const config = toImageConfig(parseJsonDocument(imageConfigDocumentSchema, files.read(blobPath(manifest.config.digest)), 'the image config', source));
  return {
    format: 'oci-layout',
    config,
    layers: manifest.layers.map((layer) => layerFrom(layer.digest, () => files.read(blobPath(layer.digest)), source, budget)),
  };
}

/** Decides what kind of image the path holds and how to read its layers. */
function planImport(sourcePath: string, budget: ImportBudget): ImagePlan {
  const source = sourcePath;
  // One open, without blocking: the type is read from the descriptor, so a
  // FIFO or /dev/zero is refused before a byte is read.
  const fd = openSource(sourcePath, source);
  let stat: fs.Stats;
  let buffer: Buffer | null = null;
  try {
    stat = fs.fstatSync(fd);
    if (!stat.isDirectory() && !stat.isFile()) throw notRegular(source, stat);
    if (stat.isFile()) buffer = readBounded(fd, stat.size, source, budget);
  } finally {
    fs.closeSync(fd);
  }
  if (buffer === null) {
    const files = filesFromDirectory(sourcePath, source, budget);
    if (files.has('index.json')) return planOciLayout(files, source, budget);
    if (files.has('manifest.json')) return planDockerArchive(files, source, budget);
    throw new CoreError('InvalidImageArchive', `The directory ${source} is neither an OCI image layout (index.json) nor an unpacked 'docker save' archive (manifest.json).`, { details: { source } });
  }
  const entries = readTar(decompress(buffer, source, budget), source, budget);
  const files = filesFromTar(entries, source);
  if (files.has('manifest.json')) return planDockerArchive(files, source, budget);
  if (files.has('index.json') && files.has('oci-layout')) return planOciLayout(files, source, budget);
  return { format: 'rootfs', config: emptyConfig, layers: [{ name: path.basename(sourcePath), entries: () => entries }] };
}

function imagesRoot(): string {
  return path.join(stateDir(), 'images');
}

export interface ImportOptions {
  name: string;
  path: string;
  onProgress?: (status: string, percent: number) => void;
}

/**
 * Imports into a temporary directory beside the store and renames it into
 * place: a failed import leaves nothing, a concurrent import of the same name
 * loses cleanly with ImageAlreadyExists.
 */
export async function importImage(options: ImportOptions): Promise<ImageRecord> {
  const name = validateImageName(options.name);
  const sourcePath = path.resolve(options.path);
  const target = imageDir(name);
  if (fs.existsSync(target)) {
    throw new CoreError('ImageAlreadyExists', `An image named '${name}' already exists. Remove it first (Remove-ContainerImage -Name ${name}) or import under another name.`, { details: { name } });
  }
  const plan = planImport(sourcePath, new ImportBudget(importLimits(), sourcePath));
  fs.mkdirSync(imagesRoot(), { recursive: true, mode: 0o700 });
  const temp = path.join(imagesRoot(), `.import-${name}-${randomBytes(6).toString('hex')}`);
  try {
    fs.mkdirSync(temp, { mode: 0o700 });
    // Names this core: a partial import whose core was killed is removed by the next command (recovery.ts).
    writeJournal(temp, IMPORT_JOURNAL, { operation: 'import', name });
    const rootfs = path.join(temp, 'rootfs');
    fs.mkdirSync(rootfs, { mode: 0o755 });
    const stats: LayerStats = emptyStats();
    plan.layers.forEach((layer, i) => {
      options.onProgress?.(`Applying layer ${i + 1} of ${plan.layers.length}`, Math.round((100 * i) / plan.layers.length));
      applyLayer(rootfs, layer.entries(), plan.format === 'rootfs' ? sourcePath : `${sourcePath} (layer ${layer.name})`, stats);
    });
    const record: ImageRecord = {
      schemaVersion: 1,
      name,
      format: plan.format,
      source: sourcePath,
      importedAt: new Date().toISOString(),
      layers: plan.layers.length,
      sizeBytes: stats.bytes,
      files: stats.files + stats.symlinks + stats.hardlinks + stats.directories,
      config: plan.config,
    };
    removeJournal(temp, IMPORT_JOURNAL);
    fs.writeFileSync(path.join(temp, 'image.json'), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
    try {
      fs.renameSync(temp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw new CoreError('ImageAlreadyExists', `An image named '${name}' was imported by someone else meanwhile. Remove it first or import under another name.`, { details: { name } });
      }
      throw error;
    }
    return record;
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

function readRecord(name: string): ImageRecord {
  const file = path.join(imageDir(name), 'image.json');
  const raw = jsonDocument.readJsonDocument(file, z.unknown(), (problem) =>
    new CoreError('ExternalDataInvalid', `The image metadata ${file} is damaged (${problem.message}). Remove the image (Remove-ContainerImage -Name ${name}) and import it again.`, { cause: problem.cause, details: { path: file, name } }));
  if (raw === null) throw imageNotFound(name);
  const version = raw && typeof raw === 'object' ? (raw as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (typeof version === 'number' && version > 1) {
    throw new CoreError('ExternalDataInvalid', `The image metadata ${file} was written by a newer version of the module (schemaVersion ${version}; this one reads 1). Update the module.`, { details: { path: file, name } });
  }
  const parsed = imageRecordSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CoreError('ExternalDataInvalid', `The image metadata ${file} is damaged:\n${z.prettifyError(parsed.error)}\nRemove the image and import it again.`, { details: { path: file, name } });
  }
  return parsed.data;
}

function imageNotFound(name: string): CoreError {
  const known = listImageNames();
  return new CoreError('ImageNotFound',
    `There is no image named '${name}' in ${imagesRoot()}. ${known.length ? `Known images: ${known.join(', ')}.` : 'The store is empty.'} Import one with Import-ContainerImage -Path <tarball> -Name ${name}.`,
    { details: { name, known } });
}

function listImageNames(): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(imagesRoot());
  } catch {
    return [];
  }
  return names.filter((n) => !n.startsWith('.') && fs.existsSync(path.join(imagesRoot(), n, 'image.json'))).sort();
}

/** The image's record; ImageNotFound (listing the known ones) when it is not in the store. */
export function getImage(name: string): ImageRecord & { rootfs: string } {
  validateImageName(name);
  return { ...readRecord(name), rootfs: imageRootfsDir(name) };
}

export function listImages(): (ImageRecord & { rootfs: string })[] {
  return listImageNames().map((name) => ({ ...readRecord(name), rootfs: imageRootfsDir(name) }));
}

/**
 * The containers whose rootfs is an overlay of this image: by their metadata,
 * and by the overlay mounts whose lower directory is the image's rootfs (which
 * also finds a container whose metadata is damaged). Containers with a copy
 * of the image do not need it any more.
 */
export function imageUsers(name: string): string[] {
  const users = new Set<string>();
  for (const container of listContainerNames()) {
    try {
      const metadata = readMetadata(container);
      if (metadata.image === name && metadata.runtimeData.rootfs === 'overlay') users.add(container);
    } catch {
      // damaged or half-created: the mount table below still tells
    }
  }
  const rootfs = imageRootfsDir(name);
  let realRootfs = rootfs;
  try {
    realRootfs = fs.realpathSync(rootfs);
  } catch {
    // compare as given
  }
  const root = containersRoot();
  for (const mount of readMounts()) {
    if (!overlayLowerDirs(mount).some((lower) => lower === rootfs || lower === realRootfs)) continue;
    const relative = path.relative(root, mount.mountPoint).split(path.sep);
    users.add(relative.length === 2 && relative[1] === 'rootfs' && !relative[0]!.startsWith('..') ? relative[0]! : mount.mountPoint);
  }
  return [...users].sort();
}

function imageInUse(name: string, users: readonly string[]): CoreError {
  return new CoreError('ImageInUse',
    `The image '${name}' is in use by ${users.length === 1 ? 'container' : 'containers'} ${users.map((u) => `'${u}'`).join(', ')}, whose rootfs overlays it. Remove ${users.length === 1 ? 'that container' : 'those containers'} first (Remove-IsolatedContainer -Name ${users.join(', ')} -Force).`,
    { details: { name, containers: users } });
}

/** Removes an image, unless a container's overlay rootfs still reads from it (ImageInUse, naming the containers). */
export function removeImage(name: string): void {
  validateImageName(name);
  const dir = imageDir(name);
  if (!fs.existsSync(dir)) throw imageNotFound(name);
  const users = imageUsers(name);
  if (users.length > 0) throw imageInUse(name, users);
  // Rename first so a half-deleted image is never visible under its name (and
  // no new container can mount it); then look again for a container that
  // mounted it in between, and give the image back if one did.
  const doomed = path.join(imagesRoot(), `.remove-${name}-${randomBytes(6).toString('hex')}`);
  fs.renameSync(dir, doomed);
  const late = readMounts().filter((m) => overlayLowerDirs(m).some((lower) => lower === path.join(dir, 'rootfs') || lower.startsWith(`${doomed}${path.sep}`)));
  if (late.length > 0) {
    fs.renameSync(doomed, dir);
    throw imageInUse(name, imageUsers(name));
  }
  fs.rmSync(doomed, { recursive: true, force: true });
}
