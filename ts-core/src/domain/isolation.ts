/** The isolation and backend vocabularies, once: every request, response and record takes them from here. */
import { z } from 'zod';

/** Process: the host's kernel, shared. HyperV: a kernel of the container's own (utility VM, or a VM-class sandbox on Linux). */
export const isolations = ['Process', 'HyperV'] as const;
export const isolationSchema = z.enum(isolations);
export type Isolation = z.infer<typeof isolationSchema>;

export const requestedIsolationSchema = z.enum([...isolations, 'Default']);
export type RequestedIsolation = z.infer<typeof requestedIsolationSchema>;

/** What an isolation check observed: one of the isolations, or no confident answer. */
export const observedIsolationSchema = z.enum([...isolations, 'Inconclusive']);
export type ObservedIsolation = z.infer<typeof observedIsolationSchema>;

export const backendNames = ['linux', 'docker', 'hcs'] as const;
export const backendNameSchema = z.enum(backendNames);
export type BackendName = z.infer<typeof backendNameSchema>;
