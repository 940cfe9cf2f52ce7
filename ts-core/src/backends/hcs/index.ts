/**
 * The hcs backend: what the Host Compute Service knows about the containers
 * on this Windows host, whoever created them (Docker, containerd, HCS
 * itself). It observes and stops; it does not create (Docker builds the HCS
 * container documents: use the docker backend for that).
 */
import { CoreError } from '../../protocol/errors.js';
import type { CommandContext } from '../../protocol/dispatcher.js';
import type { HostProcess } from '../../processes/types.js';
import type { Backend, BackendStatus, ContainerInfo, ContainerProcess, RequestScope, WorkerClaim } from '../types.js';
import { inspectEach, ownsByLookup } from '../byName.js';
import { computeCore, type ComputeCore } from './computecore.js';
import { classifySystems, containerName, findUtilityVmWorker, isContainer, isolationOf, toContainerInfo, toContainerProcesses, utilityVmIdOf, type ComputeSystemView } from './model.js';
import { enumerateResultSchema, parseHcsDocument, processListQuery, propertiesSchema, type SystemQuery } from './schema.js';
import { hresultOfError, stopOutcome } from './hresult.js';

export interface HcsBackendOptions {
  /** Where the binding comes from; tests pass one loaded from the stand-in. */
  loadCore?: () => Promise<ComputeCore>;
  /** Bound for every HCS wait, in ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** How often a pending shutdown or terminate is checked while HCS finishes it. */
const STOP_POLL_MS = 250;

export type HcsBackend = Backend & HcsExtras;

export function createHcsBackend(options: HcsBackendOptions = {}): HcsBackend {
  const loadCore = options.loadCore ?? computeCore;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /** The enumeration, once per request when a scope is given (a create or a check reads it several times). */
  function scopedSystems(scope: RequestScope | undefined): Promise<ComputeSystemView[]> {
    return scope ? scope.memo('hcs:systems', () => systems()) : systems();
  }

  async function systems(query: SystemQuery | null = null): Promise<ComputeSystemView[]> {
    const core = await loadCore();
    const text = await core.enumerate(query ? JSON.stringify(query) : null, timeoutMs);
    if (text === null) {
      throw new CoreError('HcsDocumentInvalid', 'HCS returned no document for HcsEnumerateComputeSystems (a JSON array was expected).');
    }
    return classifySystems(parseHcsDocument(enumerateResultSchema, text, 'the HcsEnumerateComputeSystems result'));
  }

  /** By exact id, exact name, or a unique id prefix of at least 12 characters (Docker's short ids). */
  async function resolve(name: string, scope?: RequestScope): Promise<{ view: ComputeSystemView; all: ComputeSystemView[] }> {
    const all = await scopedSystems(scope);
    const containers = all.filter(isContainer);
    const lower = name.toLowerCase();
    const exact = containers.find((c) => c.id === name) ?? containers.find((c) => c.name === name);
    if (exact) return { view: exact, all };
    const prefixed = name.length >= 12 ? containers.filter((c) => c.id.toLowerCase().startsWith(lower)) : [];
    if (prefixed.length === 1) return { view: prefixed[0]!, all };
    if (prefixed.length > 1) {
      throw new CoreError('InvalidArgument', `'${name}' matches ${prefixed.length} HCS containers (${prefixed.map((c) => c.id).join(', ')}). Give more of the id.`);
    }
    throw new CoreError('ContainerNotFound', `HCS has no container '${name}'. Get-IsolatedContainer -Backend hcs lists the ones it has.`, {
      details: { name, backend: 'hcs' },
    });
  }

  const backend: Backend & HcsExtras = {
    name: 'hcs',
    // It observes and stops what Docker or containerd created; it offers no isolation to create.
    capabilities: { create: false, isolations: [] },

    async probe(scope): Promise<BackendStatus> {
      let core: ComputeCore;
      try {
        core = await loadCore();
      } catch (error) {
        const reason = error instanceof CoreError ? error.message : `The HCS binding could not be loaded: ${(error as Error).message}`;
        return { name: 'hcs', usable: false, reason, isolations: [], details: {} };
      }
      try {
        const all = await scopedSystems(scope);
        const containers = all.filter(isContainer).length;
        const guestVms = all.filter((s) => s.role === 'GuestContainerVm').length;
        return {
          name: 'hcs',
          usable: true,
          reason: `HCS answers: ${all.length} compute system(s), ${containers} of them container(s)${guestVms ? ` (${guestVms} utility VM(s) whose containers only their guest can list)` : ''}. The hcs backend lists, inspects, stops and checks containers; create them with -Backend docker.`,
          // It creates nothing, so it offers no isolation to New-IsolatedContainer.
          isolations: [],
          details: { library: core.info.library, overridden: core.info.overridden, computeSystems: all.length, containers, guestContainerVms: guestVms },
        };
      } catch (error) {
        const reason = error instanceof CoreError ? error.message : String(error);
        return { name: 'hcs', usable: false, reason: `computecore.dll loaded, but HCS did not answer: ${reason}`, isolations: [], details: { library: core.info.library } };
      }
    },

    async create(): Promise<ContainerInfo> {
      throw new CoreError(
        'BackendOperationNotSupported',
        'The hcs backend does not create containers: Docker (or containerd) writes the HCS container documents. Create it with -Backend docker (for example New-IsolatedContainer -Backend docker -Isolation HyperV ...); the hcs backend then lists it, shows its processes and checks its isolation.',
      );
    },

    async owns(name, scope) {
      return ownsByLookup(() => resolve(name, scope));
    },

    async list({ all }, scope) {
      const infos = (await scopedSystems(scope)).filter(isContainer).map(toContainerInfo);
      return { containers: all ? infos : infos.filter((c) => c.state === 'running'), problems: [] };
    },

    async inspect(name: string, scope?: RequestScope): Promise<ContainerInfo> {
      return toContainerInfo((await resolve(name, scope)).view);
    },

    async inspectMany(names, scope) {
      return inspectEach(backend.inspect, names, scope);
    },

    async processes(name: string, scope?: RequestScope): Promise<ContainerProcess[]> {
      const { view } = await resolve(name, scope);
      if (view.role === 'GuestContainerVm') {
        throw new CoreError(
          'BackendOperationNotSupported',
          `HCS lists only the utility VM '${view.id}' for '${containerName(view)}': containerd/hcsshim created its containers inside that VM through the guest connection, so HCS on the host cannot list their processes. Only the guest can (for example 'ctr task ps' or 'crictl exec' on this node). The VM itself and its host process are still checked.`,
          { details: { computeSystem: view.id, owner: view.owner, runtimeId: view.runtimeId } },
        );
      }
      const core = await loadCore();
      const text = await core.properties(view.id, JSON.stringify(processListQuery), timeoutMs);
      if (text === null) throw new CoreError('HcsDocumentInvalid', `HCS returned no properties document for '${view.name}'.`);
      const properties = parseHcsDocument(propertiesSchema, text, `the ProcessList properties of '${view.name}'`);
      if (properties.ProcessList === undefined) {
        throw new CoreError('HcsDocumentInvalid', `HCS answered the ProcessList query for '${view.name}' without the field 'ProcessList'.`, { details: { field: 'ProcessList' } });
      }
      return toContainerProcesses(properties.ProcessList, isolationOf(view));
    },

    async worker(name: string, snapshot: readonly HostProcess[], scope?: RequestScope): Promise<WorkerClaim | null> {
      const { view, all } = await resolve(name, scope);
      // The same lookup the docker backend asks for: no usable VM GUID (not visible, malformed, zero) means no claim, and the verdict says why.
      const vmId = utilityVmIdOf(all, view.id);
      return vmId === null ? null : findUtilityVmWorker(vmId, snapshot);
    },

    async stop(name: string, timeoutSeconds: number, context: CommandContext): Promise<ContainerInfo> {
      const { view } = await resolve(name);
      const core = await loadCore();
      const graceMs = Math.max(1, Math.round(timeoutSeconds * 1000));
      if (view.state?.toLowerCase() !== 'running') {
        context.verbose(`HCS container '${view.name}' is ${view.state ?? 'in an unknown state'}; nothing to stop.`);
        return toContainerInfo(view);
      }
      context.progress('Stopping container', `Shutting down '${view.name}' through HCS`);
      const deadline = Date.now() + graceMs;
      let outcome: 'stopped' | 'pending' | 'failed';
      try {
        await core.shutDown(view.id, graceMs);
        outcome = 'pending'; // HCS accepted the shutdown: wait for the exit.
      } catch (error) {
        outcome = classifyStopError(error);
        if (outcome === 'failed') {
          context.warning(`Shutting down '${view.name}' did not work (${(error as Error).message}); terminating it.`);
        }
      }
      if (outcome === 'pending' && !(await stoppedBy(view, deadline))) {
        context.warning(`'${view.name}' was still running ${timeoutSeconds} s after the shutdown request; terminating it.`);
        outcome = 'failed';
      }
      if (outcome === 'failed') await terminate(core, view, context);
      return afterStop(view);
    },

    async remove(name: string): Promise<void> {
      const { view } = await resolve(name);
      throw new CoreError(
        'BackendOperationNotSupported',
        `The hcs backend does not remove containers: '${view.name}' belongs to ${view.owner ?? 'the tool that created it'}, which keeps its own record of it. Remove it with -Backend docker (or that tool); Stop-IsolatedContainer -Backend hcs can stop it.`,
      );
    },

    async computeSystems(scope?: RequestScope): Promise<ComputeSystemView[]> {
      return scopedSystems(scope);
    },

    async utilityVmId(containerId: string, scope?: RequestScope): Promise<string | null> {
      return utilityVmIdOf(await scopedSystems(scope), containerId);
    },

    async terminate(name: string): Promise<ContainerInfo> {
      const { view } = await resolve(name);
      await terminate(await loadCore(), view);
      return afterStop(view);
    },
  };

  /**
   * Terminates, reading the answer as hcsshim does (internal/hcs/system.go):
   * already stopped or gone is success, pending means wait for the exit.
   */
  async function terminate(core: ComputeCore, view: ComputeSystemView, context?: CommandContext): Promise<void> {
    let outcome: 'stopped' | 'pending' | 'failed';
    try {
      await core.terminate(view.id, timeoutMs);
      outcome = 'pending';
    } catch (error) {
      outcome = classifyStopError(error);
      if (outcome === 'failed') throw error;
    }
    if (outcome === 'pending' && !(await stoppedBy(view, Date.now() + timeoutMs))) {
      context?.warning(`HCS accepted terminating '${view.name}', but it was still running after ${timeoutMs} ms.`);
    }
  }

  /** Waits until HCS shows the system stopped or gone, or the deadline passes; true when it stopped. */
  async function stoppedBy(view: ComputeSystemView, deadline: number): Promise<boolean> {
    for (;;) {
      const now = (await systems()).find((s) => s.id === view.id);
      if (!now || now.state?.toLowerCase() !== 'running') return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(STOP_POLL_MS, Math.max(1, deadline - Date.now()))));
    }
  }

  /** The state after a stop; a system HCS no longer lists has exited (its owner closed it). */
  async function afterStop(view: ComputeSystemView): Promise<ContainerInfo> {
    const now = (await systems()).find((s) => s.id === view.id);
    return now ? toContainerInfo(now) : { ...toContainerInfo(view), state: 'exited' };
  }

  return backend;
}

/** A shutdown/terminate failure read as hcsshim reads it; errors that are not HCS's own are 'failed'. */
function classifyStopError(error: unknown): 'stopped' | 'pending' | 'failed' {
  const hresult = hresultOfError(error);
  return hresult === null ? 'failed' : stopOutcome(hresult);
}

/** What the hcs backend offers beyond the Backend interface. */
export interface HcsExtras {
  /** Every compute system HCS lists (containers and utility VMs) with its role. */
  computeSystems(scope?: RequestScope): Promise<ComputeSystemView[]>;
  /**
   * The VM GUID behind a Hyper-V container, by its compute system id (Docker's
   * full container id): what vmwp's command line and vmmem's user carry. Null
   * for a process-isolated container or one HCS does not list.
   */
  utilityVmId(containerId: string, scope?: RequestScope): Promise<string | null>;
  /** Terminates at once, without a shutdown request. */
  terminate(name: string): Promise<ContainerInfo>;
}
