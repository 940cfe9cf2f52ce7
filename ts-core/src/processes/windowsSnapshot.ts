/**
 * The Windows host process table, for the isolation verdict.
 *
 * Route: Windows PowerShell 5.1 (always present at
 * %SystemRoot%\System32\WindowsPowerShell\v1.0\powershell.exe) runs one FIXED
 * script, passed with -EncodedCommand (no user input, no shell, no quoting):
 * `Get-CimInstance Win32_Process` for PID, parent, image name, command line,
 * creation time, memory and CPU counters, plus `GetOwner` for the processes
 * the worker rule reads it from — vmmem, vmmem.exe and vmwp.exe (the owner
 * ties them to a utility VM; asking every process for its owner costs
 * seconds). The script prints one JSON document, parsed here with zod.
 *
 * Encoding: a console program's redirected output is in the console's code
 * page (the OEM code page, e.g. 437 or 866), not UTF-8, so a process name
 * such as `пинг.exe` would arrive as U+FFFD and no longer match the UTF-16
 * ImageName HCS reports. The script therefore sets
 * [Console]::OutputEncoding to UTF-8 (no BOM) before it writes anything, and
 * the output is decoded as strict UTF-8: bytes that are not UTF-8 are an
 * error, never a replacement character.
 *
 * Counters are emitted as strings so that 64-bit values survive; creation
 * times as ISO 8601 UTC with the CIM datetime's microsecond precision (a
 * FILETIME, the same clock HCS's CreateTimestamp comes from).
 *
 * This route runs only on Windows; the parsing below is unit-tested here on
 * recorded output.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { CoreError } from '../protocol/errors.js';
import { parseJsonDocument } from '../util/jsonDocument.js';
import type { HostProcess, HostSnapshot } from './types.js';

export const windowsSnapshotScript = String.raw`
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$taken = [DateTime]::UtcNow.ToString('o')
$rows = foreach ($p in Get-CimInstance -ClassName Win32_Process) {
  $owner = $null
  if ($p.Name -in @('vmmem', 'vmmem.exe', 'vmwp.exe')) {
    try {
      $o = Invoke-CimMethod -InputObject $p -MethodName GetOwner
      if ($o.ReturnValue -eq 0) { $owner = '{0}\{1}' -f $o.Domain, $o.User }
    } catch { }
  }
  [ordered]@{
    ProcessId = [int64]$p.ProcessId
    ParentProcessId = [int64]$p.ParentProcessId
    Name = [string]$p.Name
    CommandLine = $p.CommandLine
    CreationDate = if ($p.CreationDate) { $p.CreationDate.ToUniversalTime().ToString('o') } else { $null }
    WorkingSetSize = [string]$p.WorkingSetSize
    PrivatePageCount = [string]$p.PrivatePageCount
    QuotaPagedPoolUsage = [string]$p.QuotaPagedPoolUsage
    QuotaNonPagedPoolUsage = [string]$p.QuotaNonPagedPoolUsage
    KernelModeTime = [string]$p.KernelModeTime
    UserModeTime = [string]$p.UserModeTime
    SessionId = [int64]$p.SessionId
    Owner = $owner
  }
}
[ordered]@{ TakenAt = $taken; Processes = @($rows) } | ConvertTo-Json -Depth 3 -Compress
`;

const counter = z
  .string()
  .regex(/^\d*$/, 'expected a decimal counter')
  .transform((v) => (v === '' ? 0 : Number(v)));

const rowSchema = z.object({
  ProcessId: z.number().int().min(0),
  ParentProcessId: z.number().int().min(0).nullable(),
  Name: z.string(),
  CommandLine: z.string().nullable(),
  CreationDate: z.string().nullable(),
  WorkingSetSize: counter,
  PrivatePageCount: counter,
  QuotaPagedPoolUsage: counter,
  QuotaNonPagedPoolUsage: counter,
  KernelModeTime: counter,
  UserModeTime: counter,
  SessionId: z.number().int().min(0),
  Owner: z.string().nullable(),
});

const documentSchema = z.object({
  TakenAt: z.string(),
  // ConvertTo-Json writes a one-element array as the element itself under PowerShell 5.1 when it is not forced: accept both.
  Processes: z.union([z.array(rowSchema), rowSchema.transform((r) => [r])]),
});

/** "PING.EXE" → "PING", as Get-Process shows ProcessName. */
export function processNameFromWin32(name: string): string {
  return name.replace(/\.exe$/i, '');
}

/**
 * Parses the script's output. A process without a creation time (access
 * denied, or exiting while read) is listed as unreadable, not guessed; PID 0
 * (System Idle Process) is no process at all and is left out.
 */
export function parseWindowsSnapshot(text: string): HostSnapshot {
  const document = parseJsonDocument(text.replace(/^\uFEFF/, ''), documentSchema, (problem) => {
    if (problem.kind === 'syntax') {
      return new CoreError('ExternalDataInvalid', `The Windows process snapshot is not valid JSON: ${problem.message}.`, { cause: problem.cause, details: { output: text.slice(0, 2000) } });
    }
    const first = problem.cause.issues[0];
    const field = first ? first.path.join('.') : '(document)';
    return new CoreError('ExternalDataInvalid', `The Windows process snapshot has an invalid field '${field}': ${first?.message ?? 'invalid'}.`, {
      cause: problem.cause,
      details: { field, issues: problem.message },
    });
  });
  const takenAtMs = Date.parse(document.TakenAt);
  const processes: HostProcess[] = [];
  const unreadable: number[] = [];
  for (const row of document.Processes) {
    if (row.ProcessId === 0) continue;
    const startTimeMs = row.CreationDate ? Date.parse(row.CreationDate) : Number.NaN;
    if (!Number.isFinite(startTimeMs)) {
      unreadable.push(row.ProcessId);
      continue;
    }
    processes.push({
      pid: row.ProcessId,
      parentPid: row.ParentProcessId,
      name: processNameFromWin32(row.Name),
      commandLine: row.CommandLine ?? '',
      startTimeMs,
      user: row.Owner,
      nsPids: [],
      pidNamespace: null,
      workingSetBytes: row.WorkingSetSize,
      privateBytes: row.PrivatePageCount,
      // Win32_Process reports the pool quotas in kilobytes (what Get-Process's NPM(K) shows).
      pagedBytes: row.QuotaPagedPoolUsage * 1024,
      nonPagedBytes: row.QuotaNonPagedPoolUsage * 1024,
      cpuSeconds: (row.KernelModeTime + row.UserModeTime) / 1e7,
      sessionId: row.SessionId,
    });
  }
  return { takenAtMs: Number.isFinite(takenAtMs) ? takenAtMs : Date.now(), processes, unreadable };
}

/**
 * The script's stdout as text: strict UTF-8 (a BOM is dropped). Output in
 * another code page is refused with ExternalDataInvalid instead of being
 * turned into U+FFFD, which would break the name match with HCS.
 */
export function decodeSnapshotOutput(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw new CoreError('ExternalDataInvalid',
      'The Windows process snapshot is not UTF-8 (powershell.exe wrote in another code page): process names cannot be read reliably. Check that Windows PowerShell 5.1 can set [Console]::OutputEncoding.',
      { cause: error });
  }
}

/** The fixed argument array: nothing in it comes from a request. */
export function windowsSnapshotCommand(env: NodeJS.ProcessEnv = process.env): { file: string; args: string[] } {
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
  return {
    file: path.win32.join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe'),
    args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(windowsSnapshotScript, 'utf16le').toString('base64')],
  };
}

/** Runs the route (Windows only) and parses what it prints. */
export async function takeWindowsSnapshot(options: { timeoutMs?: number } = {}): Promise<HostSnapshot> {
  if (process.platform !== 'win32') {
    throw new CoreError('BackendUnavailable', `The Windows process snapshot runs only on Windows; this host is ${process.platform}.`);
  }
  const { file, args } = windowsSnapshotCommand();
  const stdout = await new Promise<Buffer>((resolve, reject) => {
    execFile(file, args, { timeout: options.timeoutMs ?? 60_000, windowsHide: true, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' }, (error, out, err) => {
      if (error) {
        reject(
          new CoreError('RuntimeFailed', `Reading the Windows process table with Get-CimInstance Win32_Process failed: ${error.message}${err.length ? ` (${err.toString('utf8').trim().slice(0, 500)})` : ''}`, {
            cause: error,
          }),
        );
      } else resolve(out);
    });
  });
  return parseWindowsSnapshot(decodeSnapshotOutput(stdout));
}
