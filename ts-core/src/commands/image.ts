import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { getImage, importImage, listImages, removeImage, type ImageRecord } from '../backends/linux/images.js';
import { hasWildcard, wildcardToRegExp } from '../util/wildcard.js';
import { getBackend } from '../backends/registry.js';
import type { LinuxBackend } from '../backends/linux/index.js';

function linuxBackend(): LinuxBackend {
  return getBackend('linux') as LinuxBackend;
}

/** What the module shows for an image (the store's record minus internals). */
function view(image: ImageRecord & { rootfs: string }) {
  return {
    name: image.name,
    format: image.format,
    source: image.source,
    importedAt: image.importedAt,
    layers: image.layers,
    sizeBytes: image.sizeBytes,
    files: image.files,
    defaultCommand: [...(image.config.entrypoint ?? []), ...(image.config.cmd ?? [])],
    env: image.config.env,
    workingDir: image.config.workingDir,
    rootfs: image.rootfs,
  };
}

export const imageImport = defineCommand({
  name: 'image.import',
  summary: "Imports a rootfs tarball, a 'docker save' archive or an OCI image layout into the linux image store.",
  args: z.strictObject({ path: z.string().min(1).max(4096), name: z.string().min(1).max(200) }),
  async run(args, context) {
    // Partial imports (and half-made containers) a killed core left: rolled back first, reported with -Verbose.
    await linuxBackend().recover(context);
    const record = await importImage({
      name: args.name,
      path: args.path,
      onProgress: (status, percent) => context.progress(`Importing image '${args.name}'`, status, percent),
    });
    return view({ ...record, rootfs: getImage(record.name).rootfs });
  },
});

export const imageList = defineCommand({
  name: 'image.list',
  summary: 'Images in the linux image store, filtered by name patterns.',
  args: z.strictObject({ names: z.array(z.string().min(1).max(200)).max(1000).default(['*']) }),
  async run(args, context) {
    await linuxBackend().recover(context);
    const patterns = args.names.length > 0 ? args.names : ['*'];
    const regexps = patterns.map(wildcardToRegExp);
    const images = listImages().filter((image) => regexps.some((r) => r.test(image.name)));
    const errors = patterns
      .filter((p) => !hasWildcard(p) && !images.some((image) => wildcardToRegExp(p).test(image.name)))
      .map((p) => ({ name: p, code: 'ImageNotFound', message: `There is no image named '${p}'. Import one with Import-ContainerImage.` }));
    return { images: images.map(view), errors };
  },
});

export const imageRemove = defineCommand({
  name: 'image.remove',
  summary: 'Removes an image from the linux image store (containers keep their own copies).',
  args: z.strictObject({ name: z.string().min(1).max(200) }),
  async run(args) {
    removeImage(args.name);
    return { name: args.name, removed: true };
  },
});

export const imageCommands = [imageImport, imageList, imageRemove];
