/**
 * The one error type the core raises. Every platform failure (errno, exit
 * code, HTTP status, HRESULT) is mapped to a CoreError once, in the place
 * that met it; everything above that trusts `code`.
 */

/** Error classes decide the CLI exit code and the PowerShell ErrorCategory. */
export const errorClasses = {
  usage: { exitCode: 2, psCategory: 'InvalidArgument' },
  notFound: { exitCode: 3, psCategory: 'ObjectNotFound' },
  conflict: { exitCode: 4, psCategory: 'ResourceExists' },
  unavailable: { exitCode: 5, psCategory: 'NotInstalled' },
  denied: { exitCode: 6, psCategory: 'PermissionDenied' },
  timeout: { exitCode: 7, psCategory: 'OperationTimeout' },
  platform: { exitCode: 8, psCategory: 'InvalidOperation' },
  invalidData: { exitCode: 9, psCategory: 'InvalidData' },
  /** A configured bound (size, count, ratio) was reached; the error names the limit and how to raise it. */
  limit: { exitCode: 10, psCategory: 'LimitsExceeded' },
  /** The host ran out of something (disk space, quota). */
  resource: { exitCode: 11, psCategory: 'ResourceUnavailable' },
  /** A path or endpoint another user could have prepared; refused, nothing used. */
  security: { exitCode: 12, psCategory: 'SecurityError' },
  internal: { exitCode: 1, psCategory: 'NotSpecified' },
} as const;

export type ErrorClass = keyof typeof errorClasses;

/**
 * Stable error codes. PowerShell uses them as ErrorIds, so renaming one is a
 * breaking change for every script that catches it.
 */
export const errorCodes = {
  // protocol
  InvalidRequest: 'usage',
  UnknownCommand: 'usage',
  InvalidArgument: 'usage',
  RequestTooLarge: 'usage',
  UnsupportedProtocolVersion: 'usage',
  // containers and images
  InvalidContainerName: 'usage',
  ContainerNotFound: 'notFound',
  ContainerAlreadyExists: 'conflict',
  ContainerRunning: 'conflict',
  ContainerNotRunning: 'conflict',
  ContainerStateCorrupt: 'invalidData',
  ImageNotFound: 'notFound',
  ImageAlreadyExists: 'conflict',
  /** A container's overlay rootfs still reads from the image. */
  ImageInUse: 'conflict',
  InvalidImageArchive: 'invalidData',
  /** Import takes a regular file or a directory, never a device, FIFO or socket. */
  InvalidImageSource: 'usage',
  /** Uncompressed size, entry count or compression ratio over the configured limit. */
  ImageTooLarge: 'limit',
  /** A file larger than the core can read in one piece (or than a configured limit). */
  FileTooLarge: 'limit',
  /** A link inside an image layout or archive that leaves it or loops. */
  UnsafeLink: 'security',
  ImageIncompatibleWithHost: 'usage',
  InvalidImageReference: 'usage',
  InvalidHostVersion: 'usage',
  /** isolation.compatibility was asked about this host, and this host is not Windows. */
  HostBuildRequired: 'usage',
  IsolationNotSupported: 'usage',
  /** An image User / -User that does not resolve in the image (name unknown, out of range). */
  InvalidUser: 'usage',
  // backends
  BackendNotFound: 'usage',
  BackendUnavailable: 'unavailable',
  /** The backend exists here but does not do this (e.g. hcs observes containers, docker creates them). */
  BackendOperationNotSupported: 'usage',
  DependencyMissing: 'unavailable',
  NotRoot: 'denied',
  PermissionDenied: 'denied',
  RuntimeFailed: 'platform',
  VmBootFailed: 'platform',
  AgentTimeout: 'timeout',
  AgentProtocolError: 'invalidData',
  DockerUnavailable: 'unavailable',
  DockerError: 'platform',
  DockerResponseInvalid: 'invalidData',
  HcsUnavailable: 'unavailable',
  HcsError: 'platform',
  HcsOsMismatch: 'platform',
  HcsSystemNotFound: 'notFound',
  HcsInvalidState: 'conflict',
  HcsDocumentInvalid: 'invalidData',
  OperationTimeout: 'timeout',
  /** ENOSPC / EDQUOT: the disk or the quota is full. */
  DiskFull: 'resource',
  /** A folder or socket that is not private to this user (owner, mode, link). */
  UnsafePath: 'security',
  ExternalDataInvalid: 'invalidData',
  Internal: 'internal',
} as const satisfies Record<string, ErrorClass>;

export type ErrorCode = keyof typeof errorCodes;

export class CoreError extends Error {
  override readonly name = 'CoreError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  get errorClass(): ErrorClass {
    return errorCodes[this.code];
  }

  get exitCode(): number {
    return errorClasses[this.errorClass].exitCode;
  }
}

/**
 * Any thrown value as a CoreError. Host conditions that are not bugs (a full
 * disk, a file too large to read, a link loop) get their own codes; only
 * what is left becomes `Internal`.
 */
export function toCoreError(error: unknown): CoreError {
  if (error instanceof CoreError) return error;
  const errno = error as NodeJS.ErrnoException;
  const where = typeof errno?.path === 'string' ? ` (${errno.path})` : '';
  switch (errno?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new CoreError('DiskFull', `The disk or quota is full${where}. Free space (or raise the quota) and try again; nothing half-written was kept.`, { cause: error, details: { path: errno.path } });
    case 'EFBIG':
    case 'ERR_FS_FILE_TOO_LARGE':
      return new CoreError('FileTooLarge', `A file is too large for the core to handle${where}.`, { cause: error, details: { path: errno.path } });
    case 'ELOOP':
      return new CoreError('UnsafeLink', `A path goes through a symbolic link where none is allowed, or links loop${where}.`, { cause: error, details: { path: errno.path } });
    default:
      break;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CoreError('Internal', `Internal error in the core: ${message}`, { cause: error });
}
