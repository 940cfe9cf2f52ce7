/**
 * The fields of requests that people type (an image, a command, environment
 * variables, a working directory, a user, a time), each with its rule and a
 * message that names the bad value and says what to give instead. The core is
 * the one place these rules live: the module, the one-shot CLI and the DSC
 * resource all send their values here.
 *
 * A broken rule is a `custom` issue carrying `coreCode`, so the dispatcher
 * answers with that code (InvalidArgument, or the field's own such as
 * InvalidImageReference) and this message alone, instead of zod's text (see
 * ruleFailure in protocol/dispatcher.ts). Each rule is one check over the
 * whole value rather than zod's built-in min/max, whose issues would come
 * first and carry zod's wording; where a schema is also published as JSON
 * Schema (the DSC instance), `.meta()` carries the same bounds there.
 *
 * Values are shown through quoteValue: at most 80 characters, control
 * characters escaped. No message quotes anything but the value given.
 */
import { z } from 'zod';
import { quoteValue } from './names.js';
import type { ErrorCode } from '../protocol/errors.js';

type RuleContext = z.RefinementCtx;

/** Adds the issue that makes the dispatcher answer `code` with `message`. */
export function refuse(ctx: RuleContext, message: string, field: string, code: ErrorCode = 'InvalidArgument'): void {
  ctx.addIssue({ code: 'custom', message, params: { coreCode: code, field } });
}

const CONTROL = /[\0-\x1f\x7f]/;

/** "8 arguments" / "1 argument". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * A list with at most `max` items (at least `min`), each checked by `item`.
 * `label` names the list in the message ("The command", "The image list").
 */
export function listField<T extends z.ZodType>(item: T, options: { field: string; label: string; noun: string; max: number; min?: number; fix: string }) {
  const { field, label, noun, max, min = 0, fix } = options;
  return z.array(item).superRefine((list, ctx) => {
    if (list.length < min) refuse(ctx, `${label} is empty. ${fix}`, field);
    else if (list.length > max) refuse(ctx, `${label} has ${count(list.length, noun)}; at most ${max} are taken in one request. ${fix}`, field);
  }).meta({ ...(min > 0 ? { minItems: min } : {}), maxItems: max });
}

/** An integer from `min` to `max`, named by `label` ("The stop timeout") with its unit. */
export function integerField(options: { field: string; label: string; unit: string; min: number; max: number }) {
  const { field, label, unit, min, max } = options;
  return z.number().superRefine((value, ctx) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      refuse(ctx, `${label} (${field}) ${value} is not usable: give a whole number of ${unit} from ${min} to ${max}.`, field);
    }
  }).meta({ type: 'integer', minimum: min, maximum: max });
}

// ---------------------------------------------------------------- images

export const IMAGE_REFERENCE_MAX_LENGTH = 300;

/** The image a container is created from: a name in the linux store, or a Docker reference. */
export const imageField = z.string().superRefine((image, ctx) => {
  if (image.length === 0) {
    refuse(ctx, "The image is empty. Give an image name such as busybox (Get-ContainerImage lists the linux backend's images).", 'image');
  } else if (image.length > IMAGE_REFERENCE_MAX_LENGTH) {
    refuse(ctx, `The image ${quoteValue(image)} is ${image.length} characters long; an image reference has at most ${IMAGE_REFERENCE_MAX_LENGTH}. Give the image's name, such as busybox or mcr.microsoft.com/windows/servercore:ltsc2022.`, 'image');
  } else if (CONTROL.test(image) || /\s/.test(image)) {
    refuse(ctx, `The image ${quoteValue(image)} contains white space or a control character. Give the image's name without them, such as busybox.`, 'image');
  }
}).meta({ minLength: 1, maxLength: IMAGE_REFERENCE_MAX_LENGTH });

// ---------------------------------------------------------------- commands

export const COMMAND_MAX_ARGUMENTS = 1000;
export const ARGUMENT_MAX_LENGTH = 65_536;

const argumentField = z.string().meta({ maxLength: ARGUMENT_MAX_LENGTH });

/** A command as an argument array (never a shell line): bounded, and no NUL, which no process can receive. */
export function commandField(options: { required: boolean }) {
  return z.array(argumentField).superRefine((command, ctx) => {
    if (options.required && command.length === 0) {
      refuse(ctx, 'The command is empty. Give the program and its arguments as separate strings, for example ls, -l, / (["ls", "-l", "/"]).', 'command');
      return;
    }
    if (command.length > 0 && command[0] === '') {
      // An argument may be empty (printf '%s|' a '' b is three arguments); the program name may not.
      refuse(ctx, "The program to run (the first element of the command) is empty; only its arguments may be. Give the program first, for example printf, '[%s]', a, '', b.", 'command');
      return;
    }
    if (command.length > COMMAND_MAX_ARGUMENTS) {
      refuse(ctx, `The command has ${command.length} arguments; at most ${COMMAND_MAX_ARGUMENTS} are taken. Pass the rest in a file or through a script inside the container.`, 'command');
      return;
    }
    command.forEach((argument, index) => {
      if (argument.length > ARGUMENT_MAX_LENGTH) {
        refuse(ctx, `Argument ${index + 1} of the command (${quoteValue(argument)}) is ${argument.length} characters long; at most ${ARGUMENT_MAX_LENGTH} are taken. Pass long data in a file inside the container instead.`, 'command');
      } else if (argument.includes('\0')) {
        refuse(ctx, `Argument ${index + 1} of the command (${quoteValue(argument)}) contains NUL, which no process can receive. Remove it, or split the argument there.`, 'command');
      }
    });
  }).meta({ ...(options.required ? { minItems: 1 } : {}), maxItems: COMMAND_MAX_ARGUMENTS });
}

// ---------------------------------------------------------------- environment

/** Bounds of an environment: how many variables, how long a name, how long a value. */
export const ENVIRONMENT_MAX_VARIABLES = 1000;
export const ENVIRONMENT_NAME_MAX_LENGTH = 1024;
export const ENVIRONMENT_VALUE_MAX_LENGTH = ARGUMENT_MAX_LENGTH;

/** Environment variables for a command: names without '=' or NUL, values without NUL; each bounded. */
export const environmentField = z.record(z.string(), z.string()).superRefine((variables, ctx) => {
  const entries = Object.entries(variables);
  if (entries.length > ENVIRONMENT_MAX_VARIABLES) {
    refuse(ctx, `${entries.length} environment variables were given; at most ${ENVIRONMENT_MAX_VARIABLES} are taken. Put the rest in a file inside the container.`, 'env');
    return;
  }
  for (const [name, value] of entries) {
    if (name.length > ENVIRONMENT_NAME_MAX_LENGTH) {
      refuse(ctx, `The environment variable name ${quoteValue(name)} is ${name.length} characters long; at most ${ENVIRONMENT_NAME_MAX_LENGTH} are taken. Give a shorter name.`, 'env');
    } else if (value.length > ENVIRONMENT_VALUE_MAX_LENGTH) {
      refuse(ctx, `The value of environment variable ${quoteValue(name)} is ${value.length} characters long; at most ${ENVIRONMENT_VALUE_MAX_LENGTH} are taken. Pass long data in a file inside the container instead.`, 'env');
    } else if (name.length === 0) {
      refuse(ctx, `An environment variable has an empty name (its value is ${quoteValue(value)}). Give every variable a name, as in @{ GREETING = 'hello' }.`, 'env');
    } else if (name.includes('=')) {
      refuse(ctx, `The environment variable name ${quoteValue(name)} contains '='. Give names without '=' or NUL; the value goes on the other side: @{ NAME = 'value' }.`, 'env');
    } else if (name.includes('\0')) {
      refuse(ctx, `The environment variable name ${quoteValue(name)} contains NUL. Give names without '=' or NUL.`, 'env');
    } else if (value.includes('\0')) {
      refuse(ctx, `The value of environment variable ${quoteValue(name)} contains NUL, which no process can receive. Remove it from the value.`, 'env');
    }
  }
});

// ---------------------------------------------------------------- working directory and user

export const PATH_MAX_LENGTH = 4096;

/**
 * The directory a command starts in: absolute, in the container's file system.
 * `windows` also takes a drive path (C:\app) for the Windows backends.
 */
export function workingDirectoryField(options: { windows: boolean }) {
  const example = options.windows ? '/tmp (or C:\\app in a Windows container)' : '/tmp';
  return z.string().superRefine((directory, ctx) => {
    if (directory.length === 0) {
      refuse(ctx, `The working directory is empty. Give an absolute path such as ${example}, or leave it out to use the image's.`, 'workingDir');
    } else if (directory.length > PATH_MAX_LENGTH) {
      refuse(ctx, `The working directory ${quoteValue(directory)} is ${directory.length} characters long; at most ${PATH_MAX_LENGTH} are taken.`, 'workingDir');
    } else if (directory.includes('\0')) {
      refuse(ctx, `The working directory ${quoteValue(directory)} contains NUL. Give an absolute path such as ${example}.`, 'workingDir');
    } else if (!directory.startsWith('/') && !(options.windows && /^[a-zA-Z]:\\/.test(directory))) {
      refuse(ctx, `The working directory ${quoteValue(directory)} is not an absolute path. Give one such as ${example}: it is a path inside the container, not on this host.`, 'workingDir');
    }
  });
}

export const USER_MAX_LENGTH = 256;

/** Why a -User value is not uid[:gid] or name[:group], or null. */
function whyNotUser(user: string): string | null {
  if (user.length === 0) return 'it is empty';
  if (user.length > USER_MAX_LENGTH) return `it is ${user.length} characters long (at most ${USER_MAX_LENGTH})`;
  if (/[\s\0]/.test(user)) return 'it contains white space or NUL';
  const parts = user.split(':');
  if (parts.length > 2) return "it has more than one ':'";
  if (parts.some((part) => part.length === 0)) return "a part before or after ':' is empty";
  return null;
}

/** The user a command runs as: uid[:gid] or name[:group]. */
export const userField = z.string().superRefine((user, ctx) => {
  const why = whyNotUser(user);
  if (why !== null) {
    refuse(ctx, `The user ${quoteValue(user)} is not valid: ${why}. Give uid[:gid] (for example 65534:65534) or name[:group] from the image's /etc/passwd and /etc/group (for example nobody).`, 'user');
  }
});

const HOSTNAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}$/;

/** The container's host name (UTS namespace / guest). */
export const hostnameField = z.string().superRefine((hostname, ctx) => {
  if (!HOSTNAME_PATTERN.test(hostname)) {
    refuse(ctx, `The host name ${quoteValue(hostname)} is not valid. Use 1 to 63 letters, digits, '.' and '-', starting with a letter or digit (for example web-1).`, 'hostname');
  }
});

// ---------------------------------------------------------------- names and times in reads

/** A name pattern (PowerShell wildcards) in a list request. */
export function namePatternField(options: { field: string; what: string; max: number }) {
  const { field, what, max } = options;
  return z.string().superRefine((pattern, ctx) => {
    if (pattern.length === 0) {
      refuse(ctx, `A ${what} name or pattern is empty. Give a name, or a wildcard pattern such as web*.`, field);
    } else if (pattern.length > max) {
      refuse(ctx, `The ${what} name pattern ${quoteValue(pattern)} is ${pattern.length} characters long; at most ${max} are taken.`, field);
    } else if (/[\0\r\n]/.test(pattern)) {
      refuse(ctx, `The ${what} name pattern ${quoteValue(pattern)} contains NUL or a line break. Give one name per pattern.`, field);
    }
  });
}

/** A point in time as ISO 8601 UTC (what -Since sends: 2026-01-31T12:00:00.000Z). */
export const utcTimeField = z.string().superRefine((text, ctx) => {
  if (!z.iso.datetime({ offset: false }).safeParse(text).success) {
    refuse(ctx, `The time ${quoteValue(text)} is not an ISO 8601 UTC time. Give one such as 2026-01-31T12:00:00Z.`, 'since');
  }
});
