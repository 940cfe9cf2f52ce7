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
  ContainerStateCorrupt: 'invalidData',
  ImageNotFound: 'notFound',
  ImageAlreadyExists: 'conflict',
  /** A container's overlay rootfs still reads from the image. */
  ImageInUse: 'conflict',
  InvalidImageArchive: 'invalidData',
  ImageIncompatibleWithHost: 'usage',
  InvalidImageReference: 'usage',
  InvalidHostVersion: 'usage',
  /** isolation.compatibility was asked about this host, and this host is not Windows. */
  HostBuildRequired: 'usage',
  IsolationNotSupported: 'usage',
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

/** Any thrown value as a CoreError; unknown failures become `Internal`. */
export function toCoreError(error: unknown): CoreError {
  if (error instanceof CoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CoreError('Internal', `Internal error in the core: ${message}`, { cause: error });
}
