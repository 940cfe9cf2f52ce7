import { z } from 'zod';
import { errorClasses, errorCodes, type CoreError } from './errors.js';

/** Bumped on any incompatible change to the envelope or a command's shape. */
export const PROTOCOL_VERSION = 1;

/** Requests larger than this are refused before they are parsed. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export const requestSchema = z.strictObject({
  id: z.union([z.number().int().nonnegative(), z.string().min(1).max(100)]),
  command: z.string().min(1).max(100),
  arguments: z.record(z.string(), z.unknown()).default({}),
  protocolVersion: z.number().int().positive().optional(),
});
export type Request = z.infer<typeof requestSchema>;
export type RequestId = Request['id'];

export interface ErrorBody {
  code: string;
  message: string;
  category: string;
  details?: Record<string, unknown>;
}

export type Response =
  | { type: 'response'; id: RequestId | null; success: true; body: unknown }
  | { type: 'response'; id: RequestId | null; success: false; error: ErrorBody };

/** Events precede the response of the request they belong to (tsserver style). */
export type CoreEvent =
  | { type: 'event'; event: 'ready'; body: { protocolVersion: number; pid: number; version: string } }
  | { type: 'event'; event: 'progress'; requestId: RequestId; body: { activity: string; status: string; percent?: number } }
  | { type: 'event'; event: 'verbose'; requestId: RequestId; body: { message: string } }
  | { type: 'event'; event: 'warning'; requestId: RequestId; body: { message: string } };

export function errorBody(error: CoreError): ErrorBody {
  const body: ErrorBody = {
    code: error.code,
    message: error.message,
    category: errorClasses[errorCodes[error.code]].psCategory,
  };
  if (error.details !== undefined) body.details = error.details;
  return body;
}
