# Sourced by build/setup.sh. Builds the minimal guest kernel for the utility
# VMs from Debian's linux-source-6.1: `make tinyconfig` plus the fragment
# build/kernel/minimal.config, as an uncompressed vmlinux that QEMU boots
# through PVH. The build happens in .tools/kernel/minimal-<fragment hash>/ and
# is cached by the fragment's hash; the result is installed into the kernels
# directory (see 30-kernel.sh) as minimal/vmlinux, where a checkout and an
# installed module both look.
#
# Only `npm test` and `npm run bench` ask for it (build/setup.sh
# --minimal-kernel): the build takes minutes, the demo must not wait for it,
# and VMs boot the cloud kernel meanwhile. It runs niced, before any VM boots
# or benchmark runs. WINDOWSCONTAINERS_SKIP_MINIMAL_KERNEL=1 skips it.

setup_minimal_kernel() {
  [[ $setup_minimal_kernel_wanted == 1 ]] || return 0
  [[ ${WINDOWSCONTAINERS_SKIP_MINIMAL_KERNEL:-0} == 1 ]] && { say "minimal kernel: skipped (WINDOWSCONTAINERS_SKIP_MINIMAL_KERNEL=1)"; return 0; }
  [[ -n $kernels_dir ]] || return 0

  local fragment=$root/build/kernel/minimal.config
  local hash
  hash=$(sha256sum "$fragment" | cut -c1-16)
  local installed=$kernels_dir/minimal
  if [[ -s $installed/vmlinux && -s $installed/version ]] && [[ $(awk '{print $3}' "$installed/version") == "$hash" ]]; then
    return 0
  fi

  local cache=$root/.tools/kernel/minimal-$hash
  if [[ ! -s $cache/vmlinux || ! -s $cache/version ]]; then
    local source_tar=/usr/src/linux-source-6.1.tar.xz
    local needs=()
    [[ -f $source_tar ]] || needs+=(linux-source-6.1)
    command -v flex >/dev/null || needs+=(flex)
    command -v bison >/dev/null || needs+=(bison)
    command -v bc >/dev/null || needs+=(bc)
    command -v make >/dev/null || needs+=(make)
    command -v xz >/dev/null || needs+=(xz-utils)
    # objtool (built for x86-64 whatever the configuration) needs libelf's headers.
    [[ -f /usr/include/gelf.h ]] || needs+=(libelf-dev)
    if ((${#needs[@]})); then
      if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        say "minimal kernel: installing ${needs[*]} (apt)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${needs[@]}" >/dev/null 2>&1 \
          || { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
               DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${needs[@]}" >/dev/null 2>&1; } \
          || { say "minimal kernel: could not install ${needs[*]}; utility VMs use the cloud or generic kernel"; return 0; }
      else
        say "minimal kernel: needs ${needs[*]} (apt-get install ${needs[*]}); utility VMs use the cloud or generic kernel meanwhile"
        return 0
      fi
    fi

    mkdir -p "$root/.tools/kernel"
    # One build at a time per checkout (npm test and npm run bench may overlap).
    exec {lock_fd}>"$root/.tools/kernel/.build.lock"
    flock "$lock_fd"
    if [[ ! -s $cache/vmlinux || ! -s $cache/version ]]; then
      local started=$SECONDS
      local jobs=$(($(nproc) + 1))
      say "minimal kernel: building from $source_tar with build/kernel/minimal.config (niced, make -j$jobs; a few minutes)"
      local work=$root/.tools/kernel/build-$hash
      rm -rf "$work" && mkdir -p "$work"
      local log=$root/.tools/kernel/build-$hash.log
      if ! tar -xJf "$source_tar" -C "$work" --strip-components=1 2>"$log" \
         || ! (cd "$work" \
               && nice -n 10 make -s tinyconfig \
               && ./scripts/kconfig/merge_config.sh -m .config "$fragment" \
               && nice -n 10 make -s olddefconfig \
               && nice -n 10 make -s -j"$jobs" vmlinux) >>"$log" 2>&1; then
        say "minimal kernel: the build failed (last lines of $log below); utility VMs use the cloud or generic kernel"
        tail -n 15 "$log" >&2
        rm -rf "$work"
        exec {lock_fd}>&-
        return 0
      fi
      # Every option the fragment asks for must have survived olddefconfig
      # (a dependency it lacks drops it silently).
      local dropped
      dropped=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment" | while IFS= read -r line; do
        local name=${line%%=*} want=${line#*=}
        if [[ $want == n ]]; then
          grep -qE "^$name=" "$work/.config" && echo "$name"
        else
          grep -qxF "$line" "$work/.config" || echo "$name"
        fi
      done)
      if [[ -n $dropped ]]; then
        say "minimal kernel: build/kernel/minimal.config asks for options the kernel did not take: $(echo $dropped); fix the fragment. Utility VMs use the cloud or generic kernel."
        rm -rf "$work"
        exec {lock_fd}>&-
        return 0
      fi
      local version
      version=$(cat "$work/include/config/kernel.release")
      rm -rf "$cache.tmp" && mkdir -p "$cache.tmp"
      cp "$work/vmlinux" "$cache.tmp/vmlinux"
      cp "$work/.config" "$cache.tmp/config"
      printf '%s minimal %s\n' "$version" "$hash" >"$cache.tmp/version"
      rm -rf "$cache" && mv "$cache.tmp" "$cache"
      rm -rf "$work" "$log"
      say "minimal kernel: built $version in $((SECONDS - started)) s ($(du -k "$cache/vmlinux" | cut -f1) KB vmlinux)"
    fi
    exec {lock_fd}>&-
  fi

  install_kernel_files minimal "$cache/vmlinux" vmlinux "$(cat "$cache/version")"
  say "minimal kernel: installed at $installed/vmlinux"
}
setup_minimal_kernel
unset -f setup_minimal_kernel
