import { CoreError } from '../../protocol/errors.js';

/**
 * Container names become directory names, runc ids and cgroup path parts, so
 * they are held to a pattern that is safe in all three (and in a shell, should
 * anyone ever paste one into one): no separators, no metacharacters, no
 * whitespace, at most 63 characters.
 */
export const CONTAINER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** Image names are lowercase like Docker repository names, and become directory names. */
export const IMAGE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Shows a user-supplied value in a message without letting newlines or control characters through. */
export function quoteValue(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}

export function validateContainerName(name: string): string {
  if (CONTAINER_NAME_PATTERN.test(name) && !name.includes('..')) return name;
  let why: string;
  if (name.length === 0) why = 'it is empty';
  else if (name.length > 63) why = `it is ${name.length} characters long (at most 63)`;
  else if (/[/\\]/.test(name)) why = 'it contains a path separator';
  else if (/[\r\n\t\0]/.test(name) || /\s/.test(name)) why = 'it contains whitespace or a control character';
  else if (name.includes('..')) why = "it contains '..'";
  else if (!/^[a-zA-Z0-9]/.test(name)) why = 'it does not start with a letter or digit';
  else why = 'it contains characters other than letters, digits, _ . -';
  throw new CoreError('InvalidContainerName',
    `The container name ${quoteValue(name)} is not valid: ${why}. Use 1 to 63 characters: letters, digits, '_', '.', '-', starting with a letter or digit (for example 'web-1').`,
    { details: { name } });
}

export function validateImageName(name: string): string {
  if (IMAGE_NAME_PATTERN.test(name) && !name.includes('..')) return name;
  throw new CoreError('InvalidImageReference',
    `The image name ${quoteValue(name)} is not valid. Use 1 to 64 characters: lowercase letters, digits, '.', '_', '-', starting with a letter or digit (for example 'busybox').`,
    { details: { name } });
}
