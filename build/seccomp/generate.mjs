#!/usr/bin/env node
// Generates the runc seccomp profile of the linux backend from moby's default
// profile (moby/moby profiles/seccomp/default.json, now the Go module
// github.com/moby/profiles/seccomp that moby vendors; Apache-2.0), trimmed the
// way moby itself applies it (seccomp_linux.go, setupSeccomp): for x86-64
// only, for the container's fixed capability set (oci.ts DEFAULT_CAPABILITIES,
// Docker's default set), on kernels of 4.8 or later. The OCI form keeps only
// what runc reads: names, action, args, errnoRet.
//
//   git -C <moby checkout> show <commit>:vendor/github.com/moby/profiles/seccomp/default.json > /tmp/moby-default.json
//   node build/seccomp/generate.mjs /tmp/moby-default.json
// and record the commit and module version in the README beside the output.
//
// writes ts-core/src/backends/linux/seccomp/default.json.
import fs from 'node:fs';
import path from 'node:path';

const [source] = process.argv.slice(2);
if (!source) {
  console.error('usage: node build/seccomp/generate.mjs <moby profiles/seccomp/default.json>');
  process.exit(2);
}
const moby = JSON.parse(fs.readFileSync(source, 'utf8'));

// Keep in step with DEFAULT_CAPABILITIES in ts-core/src/backends/linux/oci.ts.
const caps = new Set([
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
]);
const arch = 'amd64';
const kernelAtLeast = [4, 8];

const newer = (min) => {
  const [major, minor] = min.split('.').map(Number);
  return kernelAtLeast[0] > major || (kernelAtLeast[0] === major && kernelAtLeast[1] >= minor);
};

const syscalls = [];
for (const rule of moby.syscalls) {
  const inc = rule.includes ?? {};
  const exc = rule.excludes ?? {};
  if (inc.arches && !inc.arches.includes(arch)) continue;
  if (inc.caps && !inc.caps.every((c) => caps.has(c))) continue;
  if (inc.minKernel && !newer(inc.minKernel)) continue;
  if (exc.arches && exc.arches.includes(arch)) continue;
  if (exc.caps && exc.caps.some((c) => caps.has(c))) continue;
  if (exc.minKernel && newer(exc.minKernel)) continue;
  const out = { names: [...rule.names].sort(), action: rule.action };
  if (rule.args?.length) out.args = rule.args.map(({ index, value, valueTwo, op }) => ({ index, value, ...(valueTwo ? { valueTwo } : {}), op }));
  if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
  syscalls.push(out);
}

const x86 = moby.archMap.find((a) => a.architecture === 'SCMP_ARCH_X86_64');
const profile = {
  defaultAction: moby.defaultAction,
  defaultErrnoRet: moby.defaultErrnoRet,
  architectures: [x86.architecture, ...(x86.subArchitectures ?? [])],
  syscalls,
};
const target = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'ts-core', 'src', 'backends', 'linux', 'seccomp', 'default.json');
fs.writeFileSync(target, `${JSON.stringify(profile, null, 1)}\n`);
console.log(`wrote ${target}: ${syscalls.length} rules, ${syscalls.reduce((n, r) => n + r.names.length, 0)} syscall names`);
