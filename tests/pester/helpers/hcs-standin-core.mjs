// Runs one command of the built core (dist/windowscontainers-core.cjs) with
// HCS served by the stand-in (tests/hcs-standin/standin.c) loaded with the
// recorded enumeration, in this one process: the core's binding and this
// script share the library, as the vitest stand-in tests do. Linux only.
//   node hcs-standin-core.mjs <bundle> <command> [<json args>]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [bundle, command, json] = process.argv.slice(2);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(path.join(repo, 'package.json'));
const koffi = require('koffi');

const dir = mkdtempSync(path.join(os.tmpdir(), 'wc-contract-standin-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const library = path.join(dir, 'libhcsstandin.so');
execFileSync('cc', ['-shared', '-fPIC', '-pthread', '-O1', '-o', library, path.join(repo, 'tests/hcs-standin/standin.c')], { stdio: 'pipe' });
const add = koffi.load(library).func('int32_t StandinAddSystem(const char *id, const char *systemType, const char *name, const char *owner, const char *runtimeId, const char *osType, const char *state, const char *hostingSystemId, const char *processListJson)');
const systems = JSON.parse(readFileSync(path.join(repo, 'tests/core/backends/hcs/fixtures/enumerate-docker.json'), 'utf8'));
for (const s of systems) add(s.Id, s.SystemType, s.Name ?? null, s.Owner ?? null, s.RuntimeId ?? null, s.RuntimeOsType ?? null, s.State ?? null, s.HostingSystemId ?? null, null);

process.env.WINDOWSCONTAINERS_HCS_LIBRARY = library;
process.argv = [process.argv[0], bundle, command, ...(json ? ['--json', json] : [])];
require(path.resolve(bundle));
