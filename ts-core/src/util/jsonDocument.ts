/**
 * Reading a JSON document the core does not trust (state files it wrote
 * earlier, image manifests, tool output, daemon answers): parse, validate
 * against a zod schema, and say which of the two failed. The caller turns
 * the failure into its own CoreError, because only it knows the code and
 * what the user should do (remove the container, re-import the image…).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Why a document was refused: it is not JSON, or it is JSON of the wrong shape. */
export type JsonDocumentProblem =
  | { kind: 'syntax'; /** What is wrong and where, never the document's text (the parser's own message quotes it). */ message: string; cause: unknown }
  | { kind: 'shape'; /** Every issue, as z.prettifyError writes them. */ message: string; cause: z.ZodError };

/** Builds the error to throw for a refused document. */
export type InvalidJsonDocument = (problem: JsonDocumentProblem) => Error;

/**
 * Parses and validates one document. `parse` is the JSON parser (HCS
 * documents need one that keeps 64-bit integers exact).
 */
export function parseJsonDocument<S extends z.ZodType>(
  text: string,
  schema: S,
  invalid: InvalidJsonDocument,
  parse: (text: string) => unknown = JSON.parse,
): z.output<S> {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw invalid({ kind: 'syntax', message: parse === JSON.parse ? describeJsonSyntaxError(error) : (error as Error).message, cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid({ kind: 'shape', message: z.prettifyError(parsed.error), cause: parsed.error });
  return parsed.data;
}

/**
 * Reads, parses and validates a UTF-8 JSON file; null when there is no such
 * file (every other read error is thrown as it is). Synchronous: these are
 * small files the core itself wrote.
 */
export function readJsonDocument<S extends z.ZodType>(file: string, schema: S, invalid: InvalidJsonDocument): z.output<S> | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseJsonDocument(text, schema, invalid);
}

/**
 * JSON.parse's message without the document: Node quotes a piece of the text
 * ("Unexpected token 'r', "root:$6$…" is not valid JSON"), and a message must
 * never carry the contents of a file the core read (it may be /etc/shadow).
 */
export function describeJsonSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/Unexpected end of JSON input/.test(message)) return 'it ends too early';
  const position = /position (\d+)/.exec(message);
  return position ? `syntax error at position ${position[1]}` : 'syntax error';
}
