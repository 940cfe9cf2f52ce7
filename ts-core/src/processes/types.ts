export type { HostProcess, HostSnapshot } from '../domain/hostProcess.js';
