/**
 * One convergence: a desired container compared with the actual one (get,
 * test) and made so (set). Every front end calls this command: the DSC v3
 * resource (through the one-shot CLI), the class-based DSC resource and
 * runbooks (through the module's bridge). get and test never change anything.
 */
import { z } from 'zod';
import { defineCommand, type CommandContext } from '../protocol/dispatcher.js';
import { CoreError } from '../protocol/errors.js';
import { getBackend, probeAll } from '../backends/registry.js';
import { locateBackend } from '../backends/locate.js';
import { getImage } from '../backends/linux/images.js';
import { containerCreate, preflightCreate } from './container.js';
import { responses } from '../domain/responses.js';
import { integerField } from '../domain/requestFields.js';
import {
  containerInstanceSchema,
  convergeModeSchema,
  recreateProperties,
  type ContainerInstance,
  type ContainerInstanceState,
  type ConvergeAction,
  type RunState,
} from '../domain/desiredState.js';
import type { ContainerInfo } from '../domain/container.js';
import type { Backend } from '../backends/types.js';

export function runStateOf(info: ContainerInfo): RunState {
  return info.state === 'running' ? 'running' : 'stopped';
}

/**
 * The properties of `desired` that the actual container does not have (pure).
 * A property left out is not compared; neither is isolation 'Default' nor an
 * empty command (both mean "what the backend or image chooses").
 */
export function differingProperties(desired: ContainerInstance, actual: ContainerInfo | null): string[] {
  const exist = desired._exist ?? true;
  if (actual === null) return exist ? ['_exist'] : [];
  if (!exist) return ['_exist'];
  const differing: string[] = [];
  if (desired.image !== undefined && desired.image !== actual.image) differing.push('image');
  if (desired.isolation !== undefined && desired.isolation !== 'Default' && desired.isolation !== actual.isolation) differing.push('isolation');
  if (desired.command !== undefined && desired.command.length > 0
    && (desired.command.length !== actual.command.length || desired.command.some((part, i) => part !== actual.command[i]))) differing.push('command');
  if (desired.backend !== undefined && desired.backend !== actual.backend) differing.push('backend');
  if ((desired.state ?? 'running') !== runStateOf(actual)) differing.push('state');
  return differing;
}

/** The steps set takes from these differences (pure): remove, create, recreate, start, stop. */
export function planConverge(desired: ContainerInstance, actual: ContainerInfo | null, canStart: boolean): ('remove' | 'create' | 'recreate' | 'start' | 'stop')[] {
  const differing = differingProperties(desired, actual);
  if (differing.length === 0) return [];
  if (!(desired._exist ?? true)) return ['remove'];
  const stopAfter = (desired.state ?? 'running') === 'stopped';
  if (actual === null) return stopAfter ? ['create', 'stop'] : ['create'];
  if (differing.some((p) => (recreateProperties as readonly string[]).includes(p))) return stopAfter ? ['recreate', 'stop'] : ['recreate'];
  // Only the run state differs.
  if (stopAfter) return ['stop'];
  return canStart ? ['start'] : ['recreate'];
}

/**
 * What (re)creating uses (pure): the desired properties, and for what is not
 * managed (left out, isolation Default, an empty command) what the container
 * has now, so a recreate for one reason changes nothing else.
 */
export function createArgsFor(desired: ContainerInstance, actual: ContainerInfo | null) {
  const image = desired.image ?? actual?.image;
  if (image === undefined) {
    throw new CoreError('InvalidArgument', `Container '${desired.name}' does not exist and no image was given to create it from. Give the image property.`, { details: { name: desired.name } });
  }
  const isolation = desired.isolation !== undefined && desired.isolation !== 'Default' ? desired.isolation : (actual?.isolation ?? desired.isolation ?? 'Default');
  const command = desired.command !== undefined && desired.command.length > 0 ? desired.command : (actual?.command ?? []);
  const backend = desired.backend ?? actual?.backend;
  return { image, isolation, command, backend };
}

/** The actual state as an instance document. */
export function instanceState(name: string, actual: ContainerInfo | null): ContainerInstanceState {
  if (actual === null) return { name, _exist: false };
  return {
    name: actual.name,
    _exist: true,
    image: actual.image,
    isolation: actual.isolation,
    command: actual.command,
    backend: actual.backend,
    state: runStateOf(actual),
    id: actual.id,
    createdAt: actual.createdAt,
  };
}

async function findActual(name: string, context: CommandContext): Promise<{ backend: Backend; info: ContainerInfo } | null> {
  const backend = await locateBackend(name, { scope: context });
  if (!backend) return null;
  return { backend, info: await backend.inspect(name, context) };
}

/**
 * What (re)creating would be refused for, found before anything changes: a
 * backend that does not create or is not usable here, an image the linux
 * store does not hold. The compatibility pre-flight runs in container.create
 * itself; set runs that too (preflightCreate) before anything changes.
 */
async function checkReachable(backendName: Backend['name'] | undefined, image: string, context: CommandContext): Promise<void> {
  if (backendName !== undefined) {
    const backend = getBackend(backendName);
    if (!backend.capabilities.create) {
      throw new CoreError('BackendOperationNotSupported',
        `The ${backendName} backend does not create containers, so this desired state cannot be reached. Give backend 'linux' or 'docker'.`, { details: { backend: backendName } });
    }
    const status = backend.canCreate ? await backend.canCreate(context) : await backend.probe(context).then((s) => (s.usable ? { ok: true as const } : { ok: false as const, reason: s.reason }));
    if (!status.ok) {
      throw new CoreError('BackendUnavailable', `The ${backendName} backend cannot create containers here: ${status.reason}`, { details: { backend: backendName } });
    }
  }
  else {
    const statuses = await probeAll(context);
    if (!statuses.some((s) => s.usable && s.isolations.length > 0 && getBackend(s.name).capabilities.create)) {
      throw new CoreError('BackendUnavailable', `No backend can create containers here: ${statuses.map((s) => `${s.name}: ${s.reason}`).join(' ')}`);
    }
  }
  if ((backendName ?? (process.platform === 'win32' ? 'docker' : 'linux')) === 'linux') getImage(image);
}

export const containerConverge = defineCommand({
  name: 'container.converge',
  summary: 'get, test or set a desired container: created, started, stopped, removed or recreated until it is as declared.',
  args: z.strictObject({
    mode: convergeModeSchema,
    desired: containerInstanceSchema,
    /** How long stop waits before killing (set). */
    timeoutSeconds: integerField({ field: 'timeoutSeconds', label: 'The stop timeout', unit: 'seconds', min: 0, max: 3600 }).default(10),
  }),
  response: responses['container.converge'],
  async run(args, context) {
    const { desired, mode } = args;
    const found = await findActual(desired.name, context);
    const differing = differingProperties(desired, found?.info ?? null);
    if (mode === 'get') return { ...instanceState(desired.name, found?.info ?? null), _inDesiredState: null };
    if (mode === 'test') return { ...instanceState(desired.name, found?.info ?? null), _inDesiredState: differing.length === 0, differingProperties: differing };

    const plan = planConverge(desired, found?.info ?? null, found?.backend.start !== undefined);
    const actions: ConvergeAction[] = [];
    let current = found?.info ?? null;
    const createArgs = () => createArgsFor(desired, found?.info ?? null);
    // Everything that could refuse the create is asked before the old container goes.
    if (plan.includes('create') || plan.includes('recreate')) {
      const { image, isolation, backend } = createArgs();
      await preflightCreate({ image, isolation, backend }, context);
      await checkReachable(backend, image, context);
    }
    for (const step of plan) {
      switch (step) {
        case 'remove':
          context.verbose(`Removing container '${desired.name}' (it should not exist).`);
          await found!.backend.remove(desired.name, true, context);
          current = null;
          actions.push('removed');
          break;
        case 'create':
        case 'recreate': {
          const { image, isolation, command, backend } = createArgs();
          if (step === 'recreate') {
            const why = differing.filter((p) => p !== 'state');
            context.warning(`Recreating container '${desired.name}'${why.length > 0 ? ` (${why.join(', ')} ${why.length === 1 ? 'differs' : 'differ'})` : ` (the ${found!.backend.name} backend cannot start a stopped container)`}: everything written inside it since it was created is lost.`);
            await found!.backend.remove(desired.name, true, context);
          }
          current = await containerCreate.run({ name: desired.name, image, isolation, command, env: {}, userNamespace: false, backend }, context);
          actions.push(step === 'create' ? 'created' : 'recreated');
          break;
        }
        case 'start':
          current = await found!.backend.start!(desired.name, context);
          actions.push('started');
          break;
        case 'stop': {
          const holder = current ? getBackend(current.backend) : found!.backend;
          current = await holder.stop(desired.name, args.timeoutSeconds, context);
          actions.push('stopped');
          break;
        }
      }
    }
    return {
      ...instanceState(desired.name, current),
      _inDesiredState: null,
      differingProperties: differing,
      actions,
      writableLayerLost: actions.includes('recreated'),
    };
  },
});

export const containerExport = defineCommand({
  name: 'container.export',
  summary: 'Every container this module made, as desired-state instances (DSC export).',
  args: z.strictObject({}),
  response: responses['container.export'],
  async run(_args, context) {
    const instances: ContainerInstanceState[] = [];
    for (const status of await probeAll(context)) {
      if (!status.usable) continue;
      const { containers } = await getBackend(status.name).list({ all: true }, context);
      for (const info of containers) if (info.managed) instances.push(instanceState(info.name, info));
    }
    return { instances };
  },
});

export const convergeCommands = [containerConverge, containerExport];
