/**
 * HCS JSON documents as zod schemas, following microsoft/hcsshim's
 * internal/hcs/schema2 (Properties, ProcessDetails, PropertyQuery),
 * internal/hcs/schema1 (ComputeSystemQuery, ContainerProperties: what
 * HcsEnumerateComputeSystems returns) and Microsoft's HCS schema reference
 * (SystemQuery, ResultError, ErrorEvent).
 *
 * Every document from computecore.dll is untrusted: it goes through
 * `parseHcsDocument`, which keeps uint64 fields exact (see json64.ts) and
 * turns any mismatch into HcsDocumentInvalid naming the field.
 */
import { z } from 'zod';
import { CoreError } from '../../protocol/errors.js';
import { parseJson64, Json64SyntaxError } from './json64.js';
import { parseJsonDocument } from '../../util/jsonDocument.js';

// ---- documents we send ------------------------------------------------------

export const systemTypeSchema = z.enum(['Container', 'VirtualMachine']);

/** SystemQuery (HcsEnumerateComputeSystems `query`); every list optional. */
export const systemQuerySchema = z.strictObject({
  Ids: z.array(z.string().min(1)).optional(),
  Names: z.array(z.string().min(1)).optional(),
  Types: z.array(systemTypeSchema).optional(),
  Owners: z.array(z.string().min(1)).optional(),
});
export type SystemQuery = z.infer<typeof systemQuerySchema>;

/** System_PropertyQuery (HcsGetComputeSystemProperties `propertyQuery`). */
export const propertyQuerySchema = z.strictObject({
  PropertyTypes: z.array(z.enum(['Memory', 'Statistics', 'ProcessList', 'TerminateOnLastHandleClosed', 'SharedMemoryRegion', 'GuestConnection'])),
});
export type PropertyQuery = z.infer<typeof propertyQuerySchema>;

export const processListQuery: PropertyQuery = { PropertyTypes: ['ProcessList'] };

// ---- documents we receive ---------------------------------------------------

/** uint64 fields: exact as bigint whatever their size; hcsshim omits zero values (omitempty). */
const uint64 = z
  .union([z.number().int().nonnegative(), z.bigint().nonnegative()])
  .transform((v) => BigInt(v))
  .optional()
  .transform((v) => v ?? 0n);

const uint32 = z.number().int().min(0).max(0xffffffff);

/** GUIDs as HCS writes them (no braces); an all-zero or empty GUID means "none". */
const guidOrEmpty = z
  .string()
  .regex(/^(|\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?)$/, 'expected a GUID')
  .transform((v) => {
    const bare = v.replace(/[{}]/g, '').toLowerCase();
    return bare === '' || /^[0-]+$/.test(bare) ? null : bare;
  });

/**
 * The summary properties of one compute system: an element of the
 * HcsEnumerateComputeSystems result and the basic answer of
 * HcsGetComputeSystemProperties. Unknown fields are kept (HCS adds fields by
 * schema version); SystemType and State stay strings so a newer HCS value is
 * reported as such rather than rejected.
 */
export const computeSystemSummarySchema = z.looseObject({
  Id: z.string().min(1),
  SystemType: z.string().min(1),
  Name: z.string().optional(),
  Owner: z.string().optional(),
  RuntimeId: guidOrEmpty.optional().transform((v) => v ?? null),
  RuntimeOsType: z.string().optional(),
  State: z.string().optional(),
  Stopped: z.boolean().optional(),
  ExitType: z.string().optional(),
  HostingSystemId: z.string().optional(),
  IsRuntimeTemplate: z.boolean().optional(),
  RuntimeTemplateId: z.string().optional(),
  SiloGuid: z.string().optional(),
  ObRoot: z.string().optional(),
});
export type ComputeSystemSummary = z.infer<typeof computeSystemSummarySchema>;

/** The enumeration: an array of summaries; `null` (no compute systems) reads as none. */
export const enumerateResultSchema = z
  .array(computeSystemSummarySchema)
  .nullable()
  .transform((v) => v ?? []);

/** ProcessDetails: uint64 counters kept exact; missing fields are zero (omitempty). */
export const processDetailsSchema = z.looseObject({
  ProcessId: uint32.optional().transform((v) => v ?? 0),
  ImageName: z.string().optional().transform((v) => v ?? ''),
  CreateTimestamp: z
    .string()
    .optional()
    .refine((v) => v === undefined || !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 date-time'),
  UserTime100ns: uint64,
  KernelTime100ns: uint64,
  MemoryCommitBytes: uint64,
  MemoryWorkingSetPrivateBytes: uint64,
  MemoryWorkingSetSharedBytes: uint64,
});
export type ProcessDetails = z.infer<typeof processDetailsSchema>;

/** Properties answered to `{"PropertyTypes":["ProcessList"]}`. */
export const propertiesSchema = computeSystemSummarySchema.extend({
  Id: z.string().min(1).optional(),
  SystemType: z.string().min(1).optional(),
  // null: HCS answered the query and the system runs no process.
  ProcessList: z
    .array(processDetailsSchema)
    .nullable()
    .optional()
    .transform((v) => (v === null ? [] : v)),
});
export type Properties = z.infer<typeof propertiesSchema>;

export const errorEventSchema = z.looseObject({
  Message: z.string().optional(),
  StackTrace: z.string().optional(),
  Provider: z.string().optional(),
  EventId: z.number().int().optional(),
  Flags: z.number().int().optional(),
  Source: z.string().optional(),
  Data: z.array(z.unknown()).optional(),
});

/** ResultError: HCS's extended error information. `Error` is an int32 HRESULT. */
export const resultErrorSchema = z.looseObject({
  Error: z.number().int().min(-0x80000000).max(0xffffffff).optional(),
  ErrorMessage: z.string().optional(),
  ErrorEvents: z.array(errorEventSchema).optional(),
  Attribution: z.array(z.unknown()).optional(),
});
export type ResultError = z.infer<typeof resultErrorSchema>;

// ---- parsing --------------------------------------------------------------------

/**
 * Parses and validates one document from HCS. `what` names the document in
 * the error ("the HcsEnumerateComputeSystems result").
 */
export function parseHcsDocument<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
  return parseJsonDocument(text.replace(/^\uFEFF/, ''), schema, (problem) => {
    if (problem.kind === 'syntax') {
      const where = problem.cause instanceof Json64SyntaxError ? ` (${problem.message})` : '';
      return new CoreError('HcsDocumentInvalid', `HCS returned ${what} that is not valid JSON${where}.`, {
        cause: problem.cause,
        details: { document: text.slice(0, 2000) },
      });
    }
    const first = problem.cause.issues[0];
    const field = first ? formatPath(first.path) : '(document)';
    return new CoreError('HcsDocumentInvalid', `HCS returned ${what} with an invalid field '${field}': ${first?.message ?? 'invalid'}.`, {
      cause: problem.cause,
      details: { field, issues: problem.message, document: text.slice(0, 2000) },
    });
  }, parseJson64);
}

/** A ResultError from a failed operation's document, or null when it has none or it does not parse. */
export function parseResultError(text: string | null): ResultError | null {
  if (!text) return null;
  try {
    return parseHcsDocument(resultErrorSchema, text, 'an error document');
  } catch {
    return null;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(document)' : out;
}
