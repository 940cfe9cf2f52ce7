#!/usr/bin/env bash
# Starts and stops a private Docker daemon for the docker backend's tests and
# bench: Debian's dockerd as root on a unix socket in a temp dir, with its own
# data root, exec root, pidfile, trust key and cgroup parent, so it shares
# nothing with a system Docker and leaves nothing behind.
#
#   private-dockerd.sh start [image-tar]   prints KEY=VALUE lines (DIR, DOCKER_HOST, EXEC_ROOT,
#                                          IMAGE, PID, STORAGE_DRIVER, CGROUP_PARENT) on stdout
#   private-dockerd.sh stop DIR            removes every container, stops the daemon, then
#                                          proves nothing is left (exit 1 and a list if anything is)
#   private-dockerd.sh leftovers DIR       only the proof, after a stop
#
# The image is a rootfs tarball imported with `docker import` as wc-busybox:latest:
# the given tar, else .tools/images/busybox-rootfs.tar, else one built from /bin/busybox.
set -euo pipefail
say() { printf '[private-dockerd] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
image=wc-busybox:latest

docker_cli() {
  local cli=/usr/bin/docker
  [[ -x $cli ]] || cli=$(command -v docker) || die "no docker CLI (apt-get install docker.io)"
  DOCKER_HOST="unix://$DIR/d.sock" "$cli" "$@"
}

ping_daemon() {
  node -e '
    const req = require("http").get({ socketPath: process.argv[1], path: "/_ping", timeout: 2000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1));
    req.on("error", () => process.exit(1)); req.on("timeout", () => process.exit(1));' "$DIR/d.sock"
}

cgroup_dirs() {
  local name=${1#/}
  local d
  for d in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
    [[ -d $d ]] && printf '%s\n' "$d"
  done
  return 0
}

build_rootfs_tar() {
  local out=$1 root
  root=$(mktemp -d "$DIR/rootfs.XXXXXX")
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
  [[ -x /bin/busybox ]] || die "/bin/busybox is missing (apt-get install busybox-static)"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in sh ping sleep ps cat ls echo top true false id hostname; do ln -s busybox "$root/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$root/etc/passwd"
  tar -C "$root" -cf "$out" .
  rm -rf "$root"
}

start() {
  [[ $(id -u) -eq 0 ]] || die "dockerd needs root"
  command -v dockerd >/dev/null || die "dockerd is missing (apt-get install docker.io)"
  # Short path: the containerd socket under the exec root must fit in sun_path.
  DIR=$(mktemp -d /tmp/wcd.XXXXXX)
  local cgroup_parent="/wcdocker-${DIR##*.}"
  local runsc_path
  runsc_path=$(command -v runsc || true)
  # Dirs dockerd and the shims create outside their roots; removed at stop if they were not there.
  for d in /run/docker /run/containerd; do [[ -e $d ]] || echo "$d" >>"$DIR/created-outside"; done
  {
    printf '{\n  "deprecated-key-path": "%s/key.json"' "$DIR"
    if [[ -n $runsc_path ]]; then
      printf ',\n  "runtimes": {"runsc": {"path": "%s", "runtimeArgs": ["--platform=ptrace", "--network=none"]}}' "$runsc_path"
    fi
    printf '\n}\n'
  } >"$DIR/daemon.json"
  echo "$cgroup_parent" >"$DIR/cgroup-parent"
  local driver started=
  for driver in overlay2 vfs; do
    rm -rf "$DIR/data" "$DIR/exec"
    setsid dockerd --config-file "$DIR/daemon.json" -H "unix://$DIR/d.sock" \
      --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/d.pid" \
      --iptables=false --ip-masq=false --bridge=none --storage-driver "$driver" \
      --cgroup-parent "$cgroup_parent" </dev/null >"$DIR/dockerd-$driver.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$DIR/dockerd.pid"
    local i
    for i in $(seq 1 120); do
      if ping_daemon; then started=$driver; break; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    [[ -n $started ]] && break
    say "dockerd with storage driver $driver did not come up: $(tail -n 3 "$DIR/dockerd-$driver.log" | tr '\n' ' ')"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [[ -n $started ]] || { stop_daemon || true; die "dockerd did not start (logs in $DIR)"; }
  echo "$started" >"$DIR/storage-driver"
  local tar=${1:-}
  if [[ -z $tar && -f $repo/.tools/images/busybox-rootfs.tar ]]; then tar=$repo/.tools/images/busybox-rootfs.tar; fi
  if [[ -z $tar ]]; then tar=$DIR/busybox-rootfs.tar; build_rootfs_tar "$tar"; fi
  docker_cli import "$tar" "$image" >/dev/null || { stop_daemon || true; die "docker import $tar failed"; }
  cat <<OUT
DIR=$DIR
DOCKER_HOST=unix://$DIR/d.sock
EXEC_ROOT=$DIR/exec
IMAGE=$image
PID=$(cat "$DIR/dockerd.pid")
STORAGE_DRIVER=$started
CGROUP_PARENT=$cgroup_parent
RUNSC=${runsc_path}
OUT
}

# Processes that belong to this daemon: dockerd, its containerd, shims, runsc, container processes.
daemon_processes() {
  local file pid args
  # One grep over every command line: scanning /proc from bash is seconds per pass on a busy machine.
  for file in $(grep -lsaF -- "$DIR/" /proc/[0-9]*/cmdline 2>/dev/null); do
    pid=${file#/proc/}; pid=${pid%/cmdline}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    args=$({ tr '\0' ' ' <"$file"; } 2>/dev/null) || continue
    [[ -n $args ]] && printf '%s %s\n' "$pid" "${args:0:200}"
  done
  local cgroup_parent
  cgroup_parent=$(cat "$DIR/cgroup-parent" 2>/dev/null || true)
  if [[ -n $cgroup_parent ]]; then
    local d
    for d in $(cgroup_dirs "$cgroup_parent"); do
      find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
    done | sort -un | sed 's/$/ (in the cgroup parent)/'
  fi
}

stop_daemon() {
  local pid
  pid=$(cat "$DIR/dockerd.pid" 2>/dev/null || true)
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then say "dockerd $pid ignored SIGTERM for 30 s: killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  # containerd exits with dockerd; give its children a moment, then kill what remains by pid.
  local i
  for i in $(seq 1 30); do [[ -z $(daemon_processes) ]] && break; sleep 0.5; done
  local leftover
  while read -r leftover _; do
    [[ -n $leftover ]] && kill -KILL "$leftover" 2>/dev/null || true
  done < <(daemon_processes)
  return 0
}

remove_containers() {
  ping_daemon || return 0
  local ids
  ids=$(docker_cli ps -aq 2>/dev/null || true)
  [[ -z $ids ]] || docker_cli rm -f $ids >/dev/null 2>&1 || say "could not remove containers: $ids"
}

# Prints what is left of the daemon; empty output means clean.
leftovers() {
  local found=0
  local procs
  procs=$(daemon_processes)
  if [[ -n $procs ]]; then printf 'process: %s\n' "$procs"; found=1; fi
  local mounts
  mounts=$(awk -v dir="$DIR/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo)
  if [[ -n $mounts ]]; then printf 'mount: %s\n' $mounts; found=1; fi
  local cgroup_parent d sub
  cgroup_parent=$(cat "$DIR/cgroup-parent" 2>/dev/null || true)
  if [[ -n $cgroup_parent ]]; then
    for d in $(cgroup_dirs "$cgroup_parent"); do
      for sub in $(find "$d" -mindepth 1 -type d 2>/dev/null); do printf 'cgroup: %s\n' "$sub"; found=1; done
    done
  fi
  return 0
}

stop() {
  [[ -d $DIR && -f $DIR/cgroup-parent ]] || die "'$DIR' is not a private dockerd directory"
  remove_containers
  stop_daemon
  local left
  left=$(leftovers)
  # The empty cgroup parents dockerd created are ours to remove once nothing is in them.
  local cgroup_parent d
  cgroup_parent=$(cat "$DIR/cgroup-parent")
  if [[ -z $left ]]; then
    for d in $(cgroup_dirs "$cgroup_parent"); do rmdir "$d" 2>/dev/null || true; done
    if [[ -n $(cgroup_dirs "$cgroup_parent") ]]; then left="cgroup: $(cgroup_dirs "$cgroup_parent" | tr '\n' ' ')"; fi
  fi
  # Dirs dockerd and the shims make outside their roots. Empty ones go once no Docker runs at all
  # (a parallel run may have made them); a non-empty one the harness made is a leftover unless
  # another daemon (a parallel test run, a system Docker) may be using it.
  local outside others=
  if pgrep -x dockerd >/dev/null || pgrep -x containerd >/dev/null || pgrep -f containerd-shim >/dev/null; then others=1; fi
  for outside in /run/docker /run/containerd; do
    [[ -z $others && -d $outside ]] && find "$outside" -depth -type d -empty -delete 2>/dev/null
    if [[ -e $outside && -z $others ]] && grep -qxF "$outside" "$DIR/created-outside" 2>/dev/null; then
      left+=$'\n'"outside: $outside still holds $(find "$outside" | head -5 | tr '\n' ' ')"
    fi
  done
  left=$(printf '%s' "$left" | sed '/^$/d')
  if [[ -n $left ]]; then
    say "left behind (kept $DIR for inspection):"
    printf '%s\n' "$left"
    return 1
  fi
  rm -rf "$DIR"
  say "stopped; nothing left"
}

command=${1:-}
case $command in
  start) DIR=; start "${2:-}" ;;
  stop) DIR=${2:?usage: stop DIR}; stop ;;
  leftovers) DIR=${2:?usage: leftovers DIR}; leftovers ;;
  *) die "usage: $0 start [image-tar] | stop DIR | leftovers DIR" ;;
esac
