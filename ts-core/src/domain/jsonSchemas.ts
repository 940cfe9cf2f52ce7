/**
 * The response contract as JSON Schema (draft 2020-12), one document per
 * command: what `npm run build` writes beside the bundle, and what the
 * module's contract test validates real answers against with Test-Json.
 */
import { z } from 'zod';
import { responses } from './responses.js';

export function responseJsonSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(responses).map(([command, schema]) => [
    command,
    { ...z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }), title: `${command} response body` },
  ]));
}

export { dscResourceManifest, DSC_MANIFEST_FILE } from '../dscManifest.js';
