# Sourced by build/setup.sh. Builds the native log writer (ts-core/native/
# log-writer.c) into dist/native/<os>-<cpu>/ with the system C compiler:
# every container's output goes through one, and the node fallback costs
# ~39 MB per container against ~1 MB. build/native.mjs does the compiling,
# cached by the source's hash (bundling runs it too); this step first makes
# sure a compiler with the C library's headers and static archive is there
# (Debian: gcc and libc6-dev), installing what is missing when it runs as root.
setup_log_writer() {
  [[ $(uname -s) == Linux ]] || return 0
  local want=()
  command -v cc >/dev/null || command -v gcc >/dev/null || want+=(gcc)
  # The headers and libc.a: gcc installed without recommends lacks them.
  [[ -f /usr/include/unistd.h ]] || want+=(libc6-dev)
  if ((${#want[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      say "installing ${want[*]} for the native log writer"
      local rc=0
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}" >/dev/null 2>&1 || rc=$?
      if ((rc != 0)); then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
        rc=0
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}" >/dev/null 2>&1 || rc=$?
      fi
      ((rc == 0)) || say "warning: could not install ${want[*]}; containers' output goes through the node log writer instead"
    else
      say "missing ${want[*]} (apt-get install ${want[*]}): containers' output goes through the node log writer instead"
    fi
  fi
  local out rc=0
  out=$(node "$root/build/native.mjs" 2>&1) || rc=$?
  while IFS= read -r line; do [[ -n $line ]] && say "${line#\[native\] }"; done <<<"$out"
  ((rc == 0)) || say "warning: the native log writer did not compile (see above); containers' output goes through the node log writer instead"
}
setup_log_writer
