/** The isolation and backend vocabularies, once: every request, response and record takes them from here. */
import { z } from 'zod';

export const isolationSchema = z.enum(['Process', 'HyperV']);
export type Isolation = z.infer<typeof isolationSchema>;

export const requestedIsolationSchema = z.enum(['Process', 'HyperV', 'Default']);
export type RequestedIsolation = z.infer<typeof requestedIsolationSchema>;

/** What an isolation check observed: one of the isolations, or no confident answer. */
export const observedIsolationSchema = z.enum(['Process', 'HyperV', 'Inconclusive']);
export type ObservedIsolation = z.infer<typeof observedIsolationSchema>;

export const backendNames = ['linux', 'docker', 'hcs'] as const;
export const backendNameSchema = z.enum(backendNames);
export type BackendName = z.infer<typeof backendNameSchema>;
