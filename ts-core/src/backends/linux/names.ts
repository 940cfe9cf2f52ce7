import { CoreError } from '../../protocol/errors.js';
import { quoteValue } from '../../domain/names.js';

/** Image names are lowercase like Docker repository names, and become directory names. */
export const IMAGE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function isImageName(name: string): boolean {
  return IMAGE_NAME_PATTERN.test(name) && !name.includes('..');
}

export function invalidImageNameMessage(name: string): string {
  return `The image name ${quoteValue(name)} is not valid. Use 1 to 64 characters: lowercase letters, digits, '.', '_', '-', starting with a letter or digit (for example 'busybox').`;
}

export function validateImageName(name: string): string {
  if (isImageName(name)) return name;
  throw new CoreError('InvalidImageReference', invalidImageNameMessage(name), { details: { name } });
}
