import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { CoreError } from '../protocol/errors.js';
import { getBackend } from '../backends/registry.js';
import { hasWildcard, wildcardToRegExp } from '../util/wildcard.js';
import { responses } from '../domain/responses.js';
import { toItemError } from '../domain/itemError.js';

/** The linux backend's image store, through the registry. */
const images = () => getBackend('linux').images;

export const imageImport = defineCommand({
  name: 'image.import',
  summary: "Imports a rootfs tarball, a 'docker save' archive or an OCI image layout into the linux image store.",
  args: z.strictObject({ path: z.string().min(1).max(4096), name: z.string().min(1).max(200) }),
  response: responses['image.import'],
  async run(args, context) {
    // Partial imports (and half-made containers) a killed core left are rolled back first, reported with -Verbose.
    return images().import({
      context,
      name: args.name,
      path: args.path,
      onProgress: (status, percent) => context.progress(`Importing image '${args.name}'`, status, percent),
    });
  },
});

export const imageList = defineCommand({
  name: 'image.list',
  summary: 'Images in the linux image store, filtered by name patterns.',
  args: z.strictObject({ names: z.array(z.string().min(1).max(200)).max(1000).default(['*']) }),
  response: responses['image.list'],
  async run(args) {
    const patterns = args.names.length > 0 ? args.names : ['*'];
    const regexps = patterns.map(wildcardToRegExp);
    const found = images().list().filter((image) => regexps.some((r) => r.test(image.name)));
    const errors = patterns
      .filter((p) => !hasWildcard(p) && !found.some((image) => wildcardToRegExp(p).test(image.name)))
      .map((p) => ({ name: p, ...toItemError(new CoreError('ImageNotFound', `There is no image named '${p}'. Import one with Import-ContainerImage.`)) }));
    return { images: found, errors };
  },
});

export const imageRemove = defineCommand({
  name: 'image.remove',
  summary: 'Removes an image from the linux image store (containers keep their own copies).',
  args: z.strictObject({ name: z.string().min(1).max(200) }),
  response: responses['image.remove'],
  async run(args) {
    images().remove(args.name);
    return { name: args.name, removed: true as const };
  },
});

export const imageCommands = [imageImport, imageList, imageRemove];
