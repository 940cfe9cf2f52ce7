/**
 * The container-name rule, once. Names become directory names, runc ids and
 * cgroup path parts, so they are held to a pattern that is safe in all three
 * (and in a shell, should anyone ever paste one into one): no separators, no
 * metacharacters, no whitespace, at most 63 characters. The boundary checks
 * every name a request carries against it (containerNameSchema); inside the
 * core names are trusted.
 */
import { z } from 'zod';
import { CoreError } from '../protocol/errors.js';

export const CONTAINER_NAME_MAX_LENGTH = 63;
export const CONTAINER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** Shows a user-supplied value in a message without letting newlines or control characters through. */
export function quoteValue(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}

export function isContainerName(name: string): boolean {
  return CONTAINER_NAME_PATTERN.test(name) && !name.includes('..');
}

/** Why a name breaks the rule, in words, or null when it keeps it. */
function whyInvalid(name: string): string | null {
  if (isContainerName(name)) return null;
  if (name.length === 0) return 'it is empty';
  if (name.length > CONTAINER_NAME_MAX_LENGTH) return `it is ${name.length} characters long (at most ${CONTAINER_NAME_MAX_LENGTH})`;
  if (/[/\\]/.test(name)) return 'it contains a path separator';
  if (/[\r\n\t\0]/.test(name) || /\s/.test(name)) return 'it contains whitespace or a control character';
  if (name.includes('..')) return "it contains '..'";
  if (!/^[a-zA-Z0-9]/.test(name)) return 'it does not start with a letter or digit';
  return 'it contains characters other than letters, digits, _ . -';
}

function invalidNameMessage(name: string, why: string): string {
  return `The container name ${quoteValue(name)} is not valid: ${why}. Use 1 to ${CONTAINER_NAME_MAX_LENGTH} characters: letters, digits, '_', '.', '-', starting with a letter or digit (for example 'web-1').`;
}

/** The name itself, or InvalidContainerName naming the value and the rule. */
export function validateContainerName(name: string): string {
  const why = whyInvalid(name);
  if (why === null) return name;
  throw new CoreError('InvalidContainerName', invalidNameMessage(name, why), { details: { name } });
}

/**
 * A container name in a request. A failure carries `coreCode`, so the
 * dispatcher answers InvalidContainerName (not a generic InvalidArgument)
 * with the same message validateContainerName gives.
 */
export const containerNameSchema = z.string().max(1024).superRefine((name, ctx) => {
  const why = whyInvalid(name);
  if (why !== null) ctx.addIssue({ code: 'custom', message: invalidNameMessage(name, why), params: { coreCode: 'InvalidContainerName', name } });
});
