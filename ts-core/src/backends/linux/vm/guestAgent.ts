/**
 * The guest side of the utility VM: the files the initramfs carries besides
 * the image rootfs. Everything lives under /.wc so that it cannot collide with
 * the image, and runs on the host's static busybox (copied to /.wc/busybox),
 * so that the agent does not depend on what the image contains.
 *
 * /init (PID 1) mounts proc/sys/dev, brings `lo` up, starts the container
 * command in its own session (setsid) and then serves the agent channel on
 * /dev/ttyS1 (the VM's second serial port; the first is the console).
 *
 * "The container's processes" are every guest process that is neither a
 * kernel thread nor in the agent's session: the agent (PID 1) and the helpers
 * it forks (awk, ps, the waiter) stay in the session the kernel gave PID 1,
 * while the container command gets a session of its own, which its children
 * inherit. A process the workload daemonizes with its own setsid still
 * counts: it is not the agent's.
 *
 * Line protocol (ASCII, '\n'-terminated, one request at a time):
 *   agent -> host, once at start:  WCAGENT READY <protocol> <container-id>
 *   host -> agent:                 <seq> <verb>         verb: hello|ps|exit-status|shutdown
 *   agent -> host:                 <seq> BEGIN <verb>
 *                                  <seq> <record>...     see below
 *                                  <seq> END <record-count>
 *                          or      <seq> ERR <reason>
 * Records: `H <protocol> <container-id>` (hello);
 * `U <uptime-seconds>` then `P <pid> <ppid> <rss-bytes> <utime+stime-ticks>
 * <start-ticks> <state> <comm> <args>` (ps; comm and args percent-encoded,
 * "-" when empty; ticks are USER_HZ = 100 on x86); `S running <pid>` or
 * `S exited <pid> <code>` (exit-status). shutdown answers BEGIN/END, then
 * stops the workload (TERM, KILL after 3 s), syncs and resets the VM (QEMU's -no-reboot makes that an exit).
 *
 * exec (the one verb with arguments):
 *   <seq> exec <timeout-s> <max-bytes> <uid> <gid> <gids|-> <cwd> <count> <arg>...
 * cwd and every arg are base64 ("-" for the empty string); the agent only
 * checks their alphabet and stores them in files under /run/wc/x<seq>, and
 * /.wc/exec.sh (execRunner) decodes them one at a time into its positional
 * parameters and runs `env -i "$@"`: no value is ever part of shell text.
 * The args are the whole argv of env -i (the environment, then the command).
 * The command runs in a session of its own (so ps lists it and shutdown stops
 * it), as uid:gid through busybox su when not root, with stdout and stderr
 * each kept to max-bytes + 1 (the rest is read and dropped so the command is
 * not killed by a full pipe). The agent answers nothing else while it waits:
 * after timeout-s seconds it kills the command's process group and answers
 * anyway, so the loop is blocked for at most timeout-s + about 5 s.
 * Records: `X <exit-code> <timed-out 0|1>`, then `O <base64>` lines (stdout)
 * and `E <base64>` lines (stderr), each at most 76 characters.
 */
export const AGENT_PROTOCOL = 1;

/** Busybox applets the agent calls; each gets a symlink in /.wc/bin. */
export const agentApplets = [
  'sh', 'mount', 'mkdir', 'ip', 'stty', 'setsid', 'env', 'awk', 'ps', 'cat', 'mv', 'rm', 'kill',
  'sleep', 'sync', 'reboot', 'hostname', 'printf', 'echo', 'cut', 'readlink', 'base64', 'head', 'grep', 'mkfifo',
] as const;

const initTemplate = String.raw`#!/.wc/busybox sh
# WindowsContainers guest agent (PID 1 of the utility VM). See guestAgent.ts.
export PATH=/.wc/bin
set -f
. /.wc/spec.sh
for d in proc sys dev run tmp; do mkdir -p /$d; done
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run/wc
mount -t tmpfs -o mode=0755 tmpfs /run/wc
hostname "$WC_HOSTNAME"
ip link set lo up

stty -F /dev/ttyS1 raw -echo
# One descriptor for the whole loop: reopening the port per line loses input.
exec 3<>/dev/ttyS1
# Ready before the workload starts: the workload is root in the guest and may
# write to this port too, but never before the ready line.
printf 'WCAGENT READY %s %s\n' @PROTOCOL@ "$WC_ID" >&3

# The waiter stays in the agent's session; the workload gets its own.
(
  cd "$WC_WORKDIR" 2>/dev/null || cd /
  wc_start </dev/null >/dev/console 2>&1 &
  echo $! >/run/wc/pid.tmp && mv /run/wc/pid.tmp /run/wc/pid
  wait $!
  echo $? >/run/wc/exit.tmp && mv /run/wc/exit.tmp /run/wc/exit
) &
while [ ! -f /run/wc/pid ]; do sleep 0.05; done
read -r WC_PID </run/wc/pid
# Answer only once the workload runs the image's program rather than our
# setsid/env on the way to it, so that the first ps already shows it (at most 5 s).
# An exec switches exe and comm before it sets up the new argument pages, so
# also wait for a command line (unless the workload has already exited): the
# first ps must not catch it half-way.
n=0
while [ $n -lt 100 ] && [ ! -f /run/wc/exit ] && { [ "$(readlink /proc/$WC_PID/exe 2>/dev/null)" = /.wc/busybox ] || [ -z "$(cat /proc/$WC_PID/cmdline 2>/dev/null)" ]; }; do sleep 0.05; n=$((n + 1)); done

wc_ps() {
  s=$1
  ps -o pid,args >/run/wc/args 2>/dev/null
  set +f
  set -- /proc/[0-9]*
  set -f
  awk -v seq="$s" -f /.wc/ps.awk "$@"
}

wc_container_pids() {
  set +f
  set -- /proc/[0-9]*
  set -f
  awk -v seq=0 -v pidsonly=1 -f /.wc/ps.awk "$@"
}

wc_exec() {
  s=$1
  shift 2
  if [ $# -lt 7 ]; then printf '%s ERR bad-request\n' "$s"; return; fi
  t=$1; max=$2; uid=$3; gid=$4; gids=$5; cwd=$6; n=$7
  shift 7
  case "$t.$max.$uid.$gid.$n" in *[!0-9.]*|*..*|.*|*.) printf '%s ERR bad-request\n' "$s"; return;; esac
  case $gids in -|[0-9]*) ;; *) printf '%s ERR bad-request\n' "$s"; return;; esac
  case $gids in *[!0-9,-]*) printf '%s ERR bad-request\n' "$s"; return;; esac
  if [ $# -ne "$n" ]; then printf '%s ERR bad-request\n' "$s"; return; fi
  d=/run/wc/x$s
  rm -rf $d
  mkdir -m 0755 $d
  i=0
  for a in "$cwd" "$@"; do
    case $a in
      -) : >$d/a.$i;;
      *[!A-Za-z0-9+/=]*) rm -rf $d; printf '%s ERR bad-request\n' "$s"; return;;
      *) printf '%s' "$a" >$d/a.$i;;
    esac
    i=$((i + 1))
  done
  echo "$n" >$d/n
  (
    mkfifo $d/o $d/e
    { head -c $((max + 1)) >$d/out; : >$d/out.done; cat >/dev/null; } <$d/o &
    { head -c $((max + 1)) >$d/err; : >$d/err.done; cat >/dev/null; } <$d/e &
    if [ "$uid" = 0 ] && [ "$gid" = 0 ]; then
      setsid /.wc/busybox sh /.wc/exec.sh $d </dev/null >$d/o 2>$d/e &
    else
      un=wc-u$uid-$gid
      if ! grep -q "^$un:" /etc/passwd; then
        mkdir -p /etc
        echo "$un:x:$uid:$gid::/:/.wc/bin/sh" >>/etc/passwd
        if [ "$gids" != - ]; then
          IFS=,
          for g in $gids; do echo "wc-x$g-$uid:x:$g:$un" >>/etc/group; done
          unset IFS
        fi
      fi
      setsid /.wc/busybox su -s /.wc/bin/sh $un -c "exec /.wc/busybox sh /.wc/exec.sh $d" </dev/null >$d/o 2>$d/e &
    fi
    echo $! >$d/pid
    wait $!
    echo $? >$d/rc.tmp && mv $d/rc.tmp $d/rc
  ) &
  k=0
  lim=$((t * 10))
  while [ ! -f $d/rc ] && [ $k -lt $lim ]; do sleep 0.1; k=$((k + 1)); done
  to=0
  if [ ! -f $d/rc ]; then
    to=1
    if [ -f $d/pid ]; then read -r p <$d/pid; kill -KILL -$p 2>/dev/null; kill -KILL $p 2>/dev/null; fi
    k=0
    while [ ! -f $d/rc ] && [ $k -lt 30 ]; do sleep 0.1; k=$((k + 1)); done
  fi
  # The readers end when the command's side closes; a daemon the command left holding them is not waited for.
  k=0
  while { [ ! -f $d/out.done ] || [ ! -f $d/err.done ]; } && [ $k -lt 20 ]; do sleep 0.1; k=$((k + 1)); done
  rc=137
  [ -f $d/rc ] && read -r rc <$d/rc
  printf '%s BEGIN exec\n%s X %s %s\n' "$s" "$s" "$rc" "$to"
  : >>$d/out; : >>$d/err
  base64 $d/out >$d/out.b
  base64 $d/err >$d/err.b
  awk -v s="$s" 'FNR == 1 { tag = (FILENAME ~ /out[.]b$/) ? "O" : "E" } length($0) > 0 { print s, tag, $0; n++ } END { print s, "END", n + 1 }' $d/out.b $d/err.b
  rm -rf $d
}

while IFS= read -r line <&3; do
  [ -z "$line" ] && continue
  # set -f is on: splitting the line cannot glob.
  set -- $line
  seq=$1
  verb=$2
  case $seq in ''|*[!0-9]*) printf '0 ERR bad-request\n' >&3; continue;; esac
  [ $# -eq 2 ] || [ "$verb" = exec ] || verb=
  case $verb in
    exec)
      wc_exec "$@" >&3;;
    hello)
      printf '%s BEGIN hello\n%s H %s %s\n%s END 1\n' "$seq" "$seq" @PROTOCOL@ "$WC_ID" "$seq" >&3;;
    ps)
      wc_ps "$seq" >&3;;
    exit-status)
      if [ -f /run/wc/exit ]; then
        read -r code </run/wc/exit
        printf '%s BEGIN exit-status\n%s S exited %s %s\n%s END 1\n' "$seq" "$seq" "$WC_PID" "$code" "$seq" >&3
      else
        printf '%s BEGIN exit-status\n%s S running %s\n%s END 1\n' "$seq" "$seq" "$WC_PID" "$seq" >&3
      fi;;
    shutdown)
      printf '%s BEGIN shutdown\n%s END 0\n' "$seq" "$seq" >&3
      pids=$(wc_container_pids)
      [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
      n=0
      while [ $n -lt 30 ] && [ -n "$(wc_container_pids)" ]; do sleep 0.1; n=$((n + 1)); done
      pids=$(wc_container_pids)
      [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
      sync
      # QEMU runs with -no-reboot, so a reset ends it. A power-off would need
      # ACPI, which the minimal guest kernel leaves out (it only halts the CPU).
      reboot -f;;
    *)
      printf '%s ERR unknown-verb\n' "$seq" >&3;;
  esac
done
# The host closed the port for good (it never does while the VM runs): end the VM.
reboot -f
`;

/** /init; the template avoids '$'+'{' so that sh parameter syntax cannot be mistaken for interpolation. */
export const initScript = initTemplate.replaceAll('@PROTOCOL@', String(AGENT_PROTOCOL));

/**
 * Reads /proc/<pid>/stat for the pids given as arguments (all the work
 * happens in BEGIN, so awk never reads them as input) and prints the
 * container's processes. comm sits in parentheses and may itself contain
 * spaces and parentheses, so it ends at the last ')'.
 */
export const psAwk = String.raw`
function enc(s,   out, i, c) {
  if (s == "") return "-"
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c ~ /[A-Za-z0-9._\/:=@+,]/) out = out c
    else out = out sprintf("%%%02X", ord[c])
  }
  return out
}
function stat(file,   line, lp, rp, rest, k, n) {
  line = ""
  if ((getline line < file) <= 0) { close(file); return 0 }
  close(file)
  lp = index(line, "(")
  rp = 0; rest = line
  while ((k = index(rest, ")")) > 0) { rp += k; rest = substr(rest, k + 1) }
  if (lp == 0 || rp <= lp) return 0
  comm = substr(line, lp + 1, rp - lp - 1)
  pid = substr(line, 1, lp - 2)
  n = split(substr(line, rp + 2), f, " ")
  return n >= 22
}
BEGIN {
  for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i
  # root is empty in the guest; tests point it at a fake /proc tree.
  if (!stat(root "/proc/1/stat")) exit 1
  agentsid = f[4]
  if (!pidsonly) {
    while ((getline line < (root "/run/wc/args")) > 0) {
      split(line, w, " ")
      p = w[1]
      sub(/^ *[0-9]+ /, "", line)
      args[p] = line
    }
    close(root "/run/wc/args")
    getline up < (root "/proc/uptime"); close(root "/proc/uptime")
    split(up, u, " ")
    printf "%s BEGIN ps\n%s U %s\n", seq, seq, u[1]
    count = 1
  }
  for (a = 1; a < ARGC; a++) {
    if (!stat(ARGV[a] "/stat")) continue
    # field k of stat is f[k-2]: ppid 4, session 6, flags 9, utime 14, stime 15, starttime 22, rss 24
    if (pid == 2 || f[2] == 2 || and(f[7], 2097152)) continue
    if (f[4] == agentsid) continue
    if (pidsonly) { printf "%s ", pid; continue }
    printf "%s P %s %s %s %s %s %s %s %s\n", seq, pid, f[2], f[22] * 4096, f[12] + f[13], f[20], f[1], enc(comm), enc(args[pid])
    count++
  }
  if (!pidsonly) printf "%s END %d\n", seq, count
  exit 0
}
`;

/**
 * /.wc/exec.sh <dir>: the exec request's runner. It decodes the base64 files
 * the agent stored (a.0 the working directory, a.1.. the argv of env -i), one
 * at a time, into its positional parameters: a value is data, never shell
 * text. The trailing 'x' keeps trailing newlines that $(...) would strip.
 */
export const execRunner = [
  'set -f',
  'd=$1',
  'read -r n <"$d/n"',
  'cwd=$(/.wc/busybox base64 -d "$d/a.0" && echo x) || { echo "exec: the working directory is not base64" >&2; exit 126; }',
  'cwd=${cwd%x}',
  'if [ -n "$cwd" ]; then cd "$cwd" || { echo "exec: cannot change to the working directory $cwd" >&2; exit 126; }; fi',
  'set --',
  'i=1',
  'while [ "$i" -le "$n" ]; do',
  '  v=$(/.wc/busybox base64 -d "$d/a.$i" && echo x) || { echo "exec: argument $i is not base64" >&2; exit 126; }',
  '  set -- "$@" "${v%x}"',
  '  i=$((i + 1))',
  'done',
  'exec /.wc/bin/env -i "$@"',
].join('\n');

/** Quotes a string for POSIX sh: single quotes, with ' written as '\''. */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export interface GuestSpec {
  containerId: string;
  hostname: string;
  workingDir: string;
  command: string[];
  env: Record<string, string>;
  /** Run the command as this user (the image's User or -User); root when absent. */
  user?: { uid: number; gid: number; additionalGids: number[]; name: string | null } | null | undefined;
}

const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const defaultGuestPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The last step before the container's program: busybox's env and sh run
 * their own applet for a bare command name (`ping` would be the agent's
 * busybox ping, not the image's), so the name is looked up in the container's
 * PATH here, like execvp, and executed by path with argv[0] kept ($0).
 */
export const execScript = [
  'set -f',
  'p=$1',
  'shift',
  'case $p in',
  '  */*) ;;',
  '  *) found=',
  '     IFS=:',
  '     for d in $PATH; do [ -n "$d" ] || d=.; if [ -f "$d/$p" ] && [ -x "$d/$p" ]; then found=$d/$p; break; fi; done',
  '     unset IFS',
  '     if [ -z "$found" ]; then echo "$p: not found (PATH=$PATH)" >&2; exit 127; fi',
  '     p=$found;;',
  'esac',
  'exec -a "$0" "$p" "$@"',
].join('\n');

/**
 * /.wc/spec.sh: the container's identity and command as sh assignments and
 * one function, every value single-quoted. The workload runs under `env -i`
 * so it sees only the container's environment, never the agent's.
 */
export function specScript(spec: GuestSpec): string {
  if (spec.command.length === 0) throw new Error('the container command is empty');
  const first = spec.command[0]!;
  if (first.includes('=')) throw new Error(`the container command '${first}' contains '=', which env(1) would take for a variable`);
  const env: Record<string, string> = { PATH: defaultGuestPath, HOSTNAME: spec.hostname, ...spec.env };
  const assignments: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!envNamePattern.test(name)) throw new Error(`the environment variable name '${name}' is not valid`);
    if (value.includes('\0')) throw new Error(`the environment variable '${name}' contains a NUL character`);
    assignments.push(shQuote(`${name}=${value}`));
  }
  for (const arg of spec.command) if (arg.includes('\0')) throw new Error('the container command contains a NUL character');
  return [
    '# Generated by WindowsContainers for one container; sourced by /init.',
    `WC_ID=${shQuote(spec.containerId)}`,
    `WC_HOSTNAME=${shQuote(spec.hostname)}`,
    `WC_WORKDIR=${shQuote(spec.workingDir || '/')}`,
    ...userLines(spec, `/.wc/bin/env -i ${assignments.join(' ')} /.wc/busybox sh -c ${shQuote(execScript)} ${shQuote(first)} ${spec.command.map(shQuote).join(' ')}`),
    '',
  ].join('\n');
}

/**
 * wc_start as root, or through busybox su for another user: su (run by root,
 * so no password) sets the uid and gid of a passwd entry 'wc-user' that /init
 * appends to the guest's /etc/passwd with exactly the resolved uid and gid
 * (the image's own passwd is a copy in the VM's RAM; only this VM sees the
 * entry), and one group line per supplementary gid naming wc-user.
 */
function userLines(spec: GuestSpec, run: string): string[] {
  const user = spec.user;
  if (!user || (user.uid === 0 && user.gid === 0)) {
    return [`wc_start() { exec /.wc/bin/setsid ${run}; }`];
  }
  if (!Number.isSafeInteger(user.uid) || !Number.isSafeInteger(user.gid) || user.uid < 0 || user.gid < 0) {
    throw new Error('the container user is not a pair of numbers');
  }
  // Supplementary groups: one group line per gid listing wc-user, which su's initgroups picks up.
  const groupLines = user.additionalGids.map((gid) => {
    if (!Number.isSafeInteger(gid) || gid < 0) throw new Error('a supplementary group is not a number');
    return `  /.wc/bin/echo 'wc-g${gid}:x:${gid}:wc-user' >> /etc/group`;
  });
  return [
    'wc_start() {',
    '  /.wc/bin/mkdir -p /etc',
    `  /.wc/bin/echo 'wc-user:x:${user.uid}:${user.gid}::/:/.wc/bin/sh' >> /etc/passwd`,
    ...groupLines,
    `  exec /.wc/bin/setsid /.wc/busybox su -s /.wc/bin/sh wc-user -c ${shQuote(`exec ${run}`)}`,
    '}',
  ];
}
