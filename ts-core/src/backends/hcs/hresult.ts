/**
 * HRESULTs from computecore.dll, mapped to CoreError once, here.
 *
 * Names and texts come from Microsoft's "HCS HRESULT" reference
 * (virtualization/api/hcs/Reference/HCSHResult.md, values 0x8037xxxx) and
 * from hcsshim's internal/hcs/errors.go, which also meets the same codes in
 * their Win32-facility form 0xC037xxxx (ERROR_VMCOMPUTE_*; e.g.
 * 0xC037010E "compute system does not exist", 0xC0370101 image mismatch).
 * Both forms share the low 16 bits, so one table serves both.
 */
import { CoreError, type ErrorCode } from '../../protocol/errors.js';
import type { ResultError } from './schema.js';

interface HcsCodeInfo {
  name: string;
  text: string;
  code: ErrorCode;
}

/** Keyed by the low 16 bits of a facility-0x037 (FACILITY_COMPUTE) HRESULT. */
const computeCodes: Record<number, HcsCodeInfo> = {
  0x0100: { name: 'HCS_E_TERMINATED_DURING_START', text: 'The virtual machine or container exited unexpectedly while starting', code: 'HcsError' },
  0x0101: { name: 'HCS_E_IMAGE_MISMATCH', text: 'The container operating system does not match the host operating system', code: 'HcsOsMismatch' },
  0x0102: { name: 'HCS_E_HYPERV_NOT_INSTALLED', text: 'The virtual machine could not be started because a required feature is not installed', code: 'HcsUnavailable' },
  0x0103: { name: 'HCS_E_OPERATION_PENDING', text: 'The operation is being completed asynchronously', code: 'HcsError' },
  0x0105: { name: 'HCS_E_INVALID_STATE', text: 'The requested virtual machine or container operation is not valid in the current state', code: 'HcsInvalidState' },
  0x0106: { name: 'HCS_E_UNEXPECTED_EXIT', text: 'The virtual machine or container exited unexpectedly', code: 'HcsError' },
  0x0107: { name: 'HCS_E_TERMINATED', text: 'The virtual machine or container was forcefully exited', code: 'HcsError' },
  0x0108: { name: 'HCS_E_CONNECT_FAILED', text: 'A connection could not be established with the container or virtual machine', code: 'HcsError' },
  0x0109: { name: 'HCS_E_CONNECTION_TIMEOUT', text: 'The operation timed out because a response was not received from the virtual machine or container', code: 'OperationTimeout' },
  0x010a: { name: 'HCS_E_CONNECTION_CLOSED', text: 'The connection with the virtual machine or container was closed', code: 'HcsError' },
  0x010b: { name: 'HCS_E_UNKNOWN_MESSAGE', text: 'An unknown internal message was received by the virtual machine or container', code: 'HcsError' },
  0x010c: { name: 'HCS_E_UNSUPPORTED_PROTOCOL_VERSION', text: 'The virtual machine or container does not support an available version of the communication protocol with the host', code: 'HcsError' },
  0x010d: { name: 'HCS_E_INVALID_JSON', text: 'The virtual machine or container JSON document is invalid', code: 'HcsError' },
  0x010e: { name: 'HCS_E_SYSTEM_NOT_FOUND', text: 'A virtual machine or container with the specified identifier does not exist', code: 'HcsSystemNotFound' },
  0x010f: { name: 'HCS_E_SYSTEM_ALREADY_EXISTS', text: 'A virtual machine or container with the specified identifier already exists', code: 'HcsError' },
  0x0110: { name: 'HCS_E_SYSTEM_ALREADY_STOPPED', text: 'The virtual machine or container with the specified identifier is not running', code: 'HcsInvalidState' },
  0x0111: { name: 'HCS_E_PROTOCOL_ERROR', text: 'A communication protocol error has occurred between the virtual machine or container and the host', code: 'HcsError' },
  0x0112: { name: 'HCS_E_INVALID_LAYER', text: 'The container image contains a layer with an unrecognized format', code: 'HcsError' },
  0x0113: { name: 'HCS_E_WINDOWS_INSIDER_REQUIRED', text: 'To use this container image, you must join the Windows Insider Program', code: 'HcsError' },
  0x0114: { name: 'HCS_E_SERVICE_NOT_AVAILABLE', text: 'The operation could not be started because a required feature is not installed', code: 'HcsUnavailable' },
  0x0115: { name: 'HCS_E_OPERATION_NOT_STARTED', text: 'The operation has not started', code: 'HcsError' },
  0x0116: { name: 'HCS_E_OPERATION_ALREADY_STARTED', text: 'The operation is already running', code: 'HcsError' },
  0x0117: { name: 'HCS_E_OPERATION_PENDING', text: 'The operation is still running', code: 'HcsError' },
  0x0118: { name: 'HCS_E_OPERATION_TIMEOUT', text: 'The operation did not complete in time', code: 'OperationTimeout' },
  0x0119: { name: 'HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET', text: 'An event callback has already been registered on this handle', code: 'HcsError' },
  0x011a: { name: 'HCS_E_OPERATION_RESULT_ALLOCATION_FAILED', text: 'Not enough memory available to return the result of the operation', code: 'HcsError' },
  0x011b: { name: 'HCS_E_ACCESS_DENIED', text: 'Insufficient privileges: only administrators or members of the Hyper-V Administrators group may access virtual machines or containers', code: 'PermissionDenied' },
  0x011c: { name: 'HCS_E_GUEST_CRITICAL_ERROR', text: 'The virtual machine or container reported a critical error and was stopped or restarted', code: 'HcsError' },
  0x011d: { name: 'HCS_E_PROCESS_INFO_NOT_AVAILABLE', text: 'The process information is not available', code: 'HcsError' },
  0x011e: { name: 'HCS_E_SERVICE_DISCONNECT', text: 'The host compute system service has disconnected unexpectedly', code: 'HcsUnavailable' },
  0x011f: { name: 'HCS_E_PROCESS_ALREADY_STOPPED', text: 'The process has already exited', code: 'HcsInvalidState' },
  0x0120: { name: 'HCS_E_SYSTEM_NOT_CONFIGURED_FOR_OPERATION', text: 'The virtual machine or container is not configured to perform the operation', code: 'HcsError' },
  0x0121: { name: 'HCS_E_OPERATION_ALREADY_CANCELLED', text: 'The operation has already been cancelled', code: 'HcsError' },
};

/** Common Win32 HRESULTs computecore.dll returns directly. */
const win32Codes: Record<number, HcsCodeInfo> = {
  0x80070005: { name: 'E_ACCESSDENIED', text: 'Access is denied (run as Administrator or a member of Hyper-V Administrators)', code: 'PermissionDenied' },
  0x80070006: { name: 'E_HANDLE', text: 'The handle is invalid', code: 'HcsError' },
  0x8007000d: { name: 'ERROR_INVALID_DATA', text: 'The data is invalid', code: 'HcsError' },
  0x80070032: { name: 'ERROR_NOT_SUPPORTED', text: 'The request is not supported', code: 'HcsError' },
  0x80070057: { name: 'E_INVALIDARG', text: 'One or more arguments are invalid', code: 'HcsError' },
  0x80070490: { name: 'ERROR_NOT_FOUND', text: 'Element not found', code: 'HcsSystemNotFound' },
  0x800704c7: { name: 'ERROR_CANCELLED', text: 'The operation was cancelled', code: 'HcsError' },
  0x8007000e: { name: 'E_OUTOFMEMORY', text: 'Not enough memory', code: 'HcsError' },
  0x80004001: { name: 'E_NOTIMPL', text: 'Not implemented', code: 'HcsError' },
};

export const S_OK = 0;
export const E_NOTIMPL = 0x80004001;
export const HCS_E_OPERATION_TIMEOUT = 0x80370118;

/** The HRESULT as an unsigned 32-bit number, whatever sign it came with. */
export function toUint32(hresult: number): number {
  return hresult >>> 0;
}

export function isFailure(hresult: number): boolean {
  return (hresult | 0) < 0;
}

export function hresultHex(hresult: number): string {
  return `0x${toUint32(hresult).toString(16).toUpperCase().padStart(8, '0')}`;
}

export function describeHresult(hresult: number): HcsCodeInfo | null {
  const u = toUint32(hresult);
  if ((u & 0x0fff0000) === 0x00370000 && (u & 0x80000000) !== 0) {
    const info = computeCodes[u & 0xffff];
    if (info) {
      // The Win32-facility form carries the ERROR_VMCOMPUTE_* name.
      return ((u & 0xf0000000) >>> 0) === 0xc0000000 ? { ...info, name: info.name.replace(/^HCS_E_/, 'ERROR_VMCOMPUTE_') } : info;
    }
  }
  return win32Codes[u] ?? null;
}

/**
 * One CoreError for a failed HCS call: what was being done, the HRESULT by
 * name and number, HCS's own message, and the error events as details.
 */
export function hcsFailure(action: string, hresult: number, resultError: ResultError | null): CoreError {
  const info = describeHresult(hresult);
  const hex = hresultHex(hresult);
  const known = info ? `${info.text} (${info.name}, ${hex})` : `HCS returned HRESULT ${hex}, which this module does not know by name`;
  const hcsMessage = resultError?.ErrorMessage?.trim();
  const events = (resultError?.ErrorEvents ?? []).map((event) => ({
    message: event.Message ?? null,
    provider: event.Provider ?? null,
    eventId: event.EventId ?? null,
    source: event.Source ?? null,
  }));
  const eventText = events.map((e) => e.message).filter((m): m is string => !!m && m !== hcsMessage);
  let message = `${action} failed: ${known}.`;
  if (hcsMessage) message += ` HCS says: ${hcsMessage}`;
  if (eventText.length > 0) message += ` Events: ${eventText.join(' | ')}`;
  if (info?.code === 'HcsOsMismatch') {
    message += ' Use an image built for this host\'s Windows build, or Hyper-V isolation (-Isolation HyperV) to run an older image.';
  } else if (info?.code === 'PermissionDenied') {
    message += ' Run PowerShell as Administrator.';
  }
  return new CoreError(info?.code ?? 'HcsError', message, {
    details: {
      hresult: hex,
      hresultName: info?.name ?? null,
      hcsErrorMessage: hcsMessage ?? null,
      errorEvents: events,
    },
  });
}

/**
 * What a failed shutdown or terminate means for "stop this system", as
 * hcsshim's internal/hcs/system.go (System.Shutdown, System.Terminate)
 * reads it: ERROR_VMCOMPUTE_SYSTEM_ALREADY_STOPPED (0xC0370110) and
 * ERROR_VMCOMPUTE_SYSTEM_NOT_FOUND (0xC037010E, "does not exist") mean the
 * goal is reached; ERROR_VMCOMPUTE_OPERATION_PENDING (0xC0370103) means HCS
 * is stopping it and the caller waits for the exit. The same codes in
 * their HCS_E_ form (0x8037xxxx) are read alike. Anything else failed.
 */
export function stopOutcome(hresult: number): 'stopped' | 'pending' | 'failed' {
  const u = toUint32(hresult);
  if ((u & 0x0fff0000) !== 0x00370000 || (u & 0x80000000) === 0) return 'failed';
  const low = u & 0xffff;
  if (low === 0x0110 || low === 0x010e) return 'stopped';
  if (low === 0x0103) return 'pending';
  return 'failed';
}

/** The HRESULT a CoreError from hcsFailure carries, or null. */
export function hresultOfError(error: unknown): number | null {
  if (!(error instanceof CoreError)) return null;
  const hex = (error.details as { hresult?: unknown } | undefined)?.hresult;
  return typeof hex === 'string' && /^0x[0-9a-f]{8}$/i.test(hex) ? Number.parseInt(hex.slice(2), 16) : null;
}
