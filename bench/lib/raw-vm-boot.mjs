// Baseline for bench/utility-vm.ps1: boots QEMU directly with the same
// arguments, kernel and initramfs as a container's utility VM (read from its
// vm.json), waits for the guest agent's ready line, times `ps` round trips on
// the raw socket, then kills QEMU and removes its files. No core involved.
// Usage: node raw-vm-boot.mjs <vm.json> <initramfs> <ps-samples>
// (the initramfs is passed separately: the container it was built for may be gone).
// Prints one JSON line: { readyMs, psMedianMs, rssBytes }.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const [vmJson, initramfsArg, samplesArg] = process.argv.slice(2);
const record = JSON.parse(readFileSync(vmJson, 'utf8'));
const samples = Number(samplesArg ?? 10);
const work = mkdtempSync(path.join(os.tmpdir(), 'wc-bench-raw-'));
const files = {
  initramfs: path.join(work, 'initramfs.cpio'),
  console: path.join(work, 'console.log'),
  qemuLog: path.join(work, 'qemu.log'),
  agentSocket: path.join(work, 'agent.sock'),
  qmpSocket: path.join(work, 'qmp.sock'),
  pidFile: path.join(work, 'qemu.pid'),
};
// Copy the initramfs so that the baseline reads the same bytes from a cold-ish page cache path.
copyFileSync(initramfsArg, files.initramfs);
const args = record.qemuArgs.map((arg) => {
  let out = arg;
  for (const key of Object.keys(files)) out = out.split(record.files[key]).join(files[key]);
  return out.replace(/guest=[^,]*/, 'guest=bench-raw').replace(/process=[^,]*/, 'process=wc-bench-raw');
});

let buffer = '';
let waiter = null;
const started = performance.now();
// The module gives QEMU its sockets by relative name (short enough for
// sun_path) and starts it in the container's directory: the same here, in work.
const qemu = spawn(record.qemuPath, args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: work });
const deadline = Date.now() + 180_000;
let exited = false;
qemu.once('exit', (code, signal) => {
  exited = true;
  if (waiter) waiter();
  process.exitCode ||= 1;
  process.stderr.write(`qemu exited (${signal ?? code})\n`);
});

function connect() {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(files.agentSocket);
      s.once('connect', () => resolve(s));
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline || exited) reject(new Error('no agent socket'));
        else setTimeout(attempt, 10);
      });
    };
    attempt();
  });
}

let socket;
try {
  socket = await connect();
} catch (error) {
  // Nothing is left behind when QEMU never offered its socket.
  qemu.removeAllListeners('exit');
  if (qemu.exitCode === null && qemu.signalCode === null) {
    qemu.kill('SIGKILL');
    await new Promise((r) => qemu.once('exit', r));
  }
  rmSync(work, { recursive: true, force: true });
  throw error;
}
socket.setEncoding('latin1');
socket.on('data', (chunk) => {
  buffer += chunk;
  if (waiter) waiter();
});
function nextLine() {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), Math.max(0, deadline - Date.now()));
    const check = () => {
      if (exited) { clearTimeout(timer); reject(new Error('QEMU exited')); return; }
      const i = buffer.indexOf('\n');
      if (i < 0) return;
      waiter = null;
      clearTimeout(timer);
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      resolve(line);
    };
    waiter = check;
    check();
  });
}

try {
  const ready = await nextLine();
  if (!ready.startsWith('WCAGENT READY ')) throw new Error(`unexpected first line ${JSON.stringify(ready)}`);
  const readyMs = performance.now() - started;
  const times = [];
  for (let i = 1; i <= samples; i++) {
    const t = performance.now();
    socket.write(`\n${i} ps\n`);
    for (;;) {
      const line = await nextLine();
      if (line.startsWith(`${i} END `)) break;
    }
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const stat = readFileSync(`/proc/${qemu.pid}/stat`, 'utf8');
  const rssPages = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[21]);
  process.stdout.write(`${JSON.stringify({ readyMs, psMedianMs: times[Math.floor(times.length / 2)], rssBytes: rssPages * 4096 })}\n`);
} finally {
  socket.destroy();
  qemu.removeAllListeners('exit');
  if (qemu.exitCode === null && qemu.signalCode === null) {
    qemu.kill('SIGKILL');
    await new Promise((r) => qemu.once('exit', r));
  }
  rmSync(work, { recursive: true, force: true });
}
