/**
 * A container's desired state and the actual state reported against it: one
 * document, the instance every front end speaks (the core's
 * container.converge, the DSC v3 resource's stdin/stdout, the class-based
 * DSC resource). The DSC v3 manifest embeds this schema, generated from here
 * at build time, so every front end validates the same way.
 *
 * A property left out is not managed: it is neither compared nor changed
 * (DSC's convention). `_exist` and `_inDesiredState` are DSC's canonical
 * properties (https://learn.microsoft.com/powershell/dsc/reference/schemas/resource/properties/exist).
 */
import { z } from 'zod';
import { backendNameSchema, isolationSchema, requestedIsolationSchema } from './isolation.js';
import { containerNameSchema } from './names.js';
import { commandField, imageField } from './requestFields.js';

/** What a container should be doing. `stopped` is also what a created-but-never-started container is. */
export const runStateSchema = z.enum(['running', 'stopped']);
export type RunState = z.infer<typeof runStateSchema>;

/** The properties that, when they differ, can only be converged by recreating the container. */
export const recreateProperties = ['image', 'isolation', 'command', 'backend'] as const;

/** What `set` did, in order. */
export const convergeActionSchema = z.enum(['created', 'started', 'stopped', 'removed', 'recreated']);
export type ConvergeAction = z.infer<typeof convergeActionSchema>;

const readOnly = { readOnly: true } as const;

/** The desired properties: what a caller may give. */
const desiredShape = {
  name: containerNameSchema.meta({ description: 'The container name: the key of the instance.' }),
  image: imageField.optional().meta({ description: 'The image to create it from. Required to create it.' }),
  isolation: requestedIsolationSchema.optional().meta({ description: "Process or HyperV. 'Default' (or leaving it out) lets the backend choose and is not compared." }),
  command: commandField({ required: false }).optional().meta({ description: "The command to run; left out or empty, the image's own command, and not compared." }),
  backend: backendNameSchema.optional().meta({ description: 'The backend that holds it (linux, docker). Left out: the one that holds it, or the default one to create it.' }),
  state: runStateSchema.optional().meta({ description: 'running (the default when it should exist) or stopped.' }),
  _exist: z.boolean().optional().meta({ description: 'Whether the container should exist (default true): DSC\'s canonical _exist property.' }),
};

/** The read-only properties an answer adds. */
const reportedShape = {
  id: z.string().optional().meta({ ...readOnly, description: "The backend's id of the container." }),
  createdAt: z.string().max(64).optional().meta({ ...readOnly, description: 'When the container was created (ISO 8601; empty when the backend does not say).' }),
  _inDesiredState: z.boolean().nullable().optional().meta({ ...readOnly, description: "test: whether the instance is in the desired state; null from get and set (DSC's canonical _inDesiredState)." }),
  differingProperties: z.array(z.string()).optional().meta({ ...readOnly, description: 'test and set: the properties that differed from the desired state before set ran.' }),
  actions: z.array(convergeActionSchema).optional().meta({ ...readOnly, description: 'set: what it did, in order; empty when nothing had to change.' }),
  writableLayerLost: z.boolean().optional().meta({ ...readOnly, description: "set: true when the container was recreated, so everything written inside it since it was created is gone." }),
};

/**
 * The instance document: input (desired state, read-only properties allowed
 * and ignored, so an answer can be sent back as it is) and output (actual
 * state). Unknown properties are refused: a misspelt property must not be
 * silently unmanaged.
 */
export const containerInstanceSchema = z.strictObject({ ...desiredShape, ...reportedShape }).meta({
  title: 'WindowsContainers/IsolatedContainer',
  description: 'A container with a given isolation, as desired or as it is.',
});
export type ContainerInstance = z.infer<typeof containerInstanceSchema>;

/** What the core reports for one instance: the actual state, with the desired-state answers. */
export const containerInstanceStateSchema = z.strictObject({
  name: z.string(),
  _exist: z.boolean(),
  image: z.string().optional(),
  isolation: isolationSchema.optional(),
  command: z.array(z.string()).optional(),
  backend: backendNameSchema.optional(),
  state: runStateSchema.optional(),
  ...reportedShape,
});
export type ContainerInstanceState = z.infer<typeof containerInstanceStateSchema>;

export const convergeModeSchema = z.enum(['get', 'test', 'set']);
export type ConvergeMode = z.infer<typeof convergeModeSchema>;
