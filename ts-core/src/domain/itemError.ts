/**
 * A per-item error inside a successful response (one name of many that
 * failed): the same code and category a whole-request error carries, so
 * PowerShell writes it with the category the core chose and never guesses.
 */
import { z } from 'zod';
import { errorClasses, errorCodes, type CoreError } from '../protocol/errors.js';

export const itemErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** The PowerShell ErrorCategory name. */
  category: z.string(),
});
export type ItemError = z.infer<typeof itemErrorSchema>;

export function toItemError(error: CoreError): ItemError {
  return { code: error.code, message: error.message, category: errorClasses[errorCodes[error.code]].psCategory };
}
