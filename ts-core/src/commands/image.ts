import { z } from 'zod';
import { defineCommand } from '../protocol/dispatcher.js';
import { CoreError } from '../protocol/errors.js';
import { getBackend } from '../backends/registry.js';
import { hasWildcard, wildcardToRegExp } from '../util/wildcard.js';
import { responses } from '../domain/responses.js';
import { toItemError } from '../domain/itemError.js';
import { listField, namePatternField, PATH_MAX_LENGTH, refuse } from '../domain/requestFields.js';
import { quoteValue } from '../domain/names.js';
import { invalidImageNameMessage, isImageName } from '../backends/linux/names.js';

/** An image's name in the linux store: the store's own rule and message, at the boundary. */
const imageNameField = z.string().superRefine((name, ctx) => {
  if (!isImageName(name)) refuse(ctx, invalidImageNameMessage(name), 'name', 'InvalidImageReference');
});

/** The file or folder to import, as the caller resolved it (absolute on the core's machine). */
const importPathField = z.string().superRefine((path, ctx) => {
  if (path.length === 0) refuse(ctx, 'The path to import is empty. Give the tarball, docker save archive or OCI layout folder to import.', 'path');
  else if (path.length > PATH_MAX_LENGTH) refuse(ctx, `The path ${quoteValue(path)} is ${path.length} characters long; at most ${PATH_MAX_LENGTH} are taken.`, 'path');
  else if (path.includes('\0')) refuse(ctx, `The path ${quoteValue(path)} contains NUL. Give the path of a file or folder.`, 'path');
});

/** The linux backend's image store, through the registry. */
const images = () => getBackend('linux').images;

export const imageImport = defineCommand({
  name: 'image.import',
  summary: "Imports a rootfs tarball, a 'docker save' archive or an OCI image layout into the linux image store.",
  args: z.strictObject({ path: importPathField, name: imageNameField }),
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
  args: z.strictObject({
    names: listField(namePatternField({ field: 'names', what: 'image', max: 200 }), {
      field: 'names', label: 'The list of image names', noun: 'name', max: 1000, fix: 'Ask for them in batches of 1000, or with a wildcard pattern such as bus*.',
    }).default(['*']),
  }),
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
  args: z.strictObject({ name: imageNameField }),
  response: responses['image.remove'],
  async run(args) {
    images().remove(args.name);
    return { name: args.name, removed: true as const };
  },
});

export const imageCommands = [imageImport, imageList, imageRemove];
