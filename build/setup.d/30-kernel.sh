# Sourced by build/setup.sh. Puts a Linux kernel for the utility VMs of the
# linux backend's Hyper-V-class isolation at .tools/kernel/vmlinuz, taken from
# Debian's linux-image package but never installed into /boot: the host's own
# boot setup is none of our business, and the Debian kernel has the 8250
# serial driver built in, so the VM needs no modules.
# WINDOWSCONTAINERS_KERNEL points the core at another kernel and skips this step.
# Also installs cpio, which the initramfs writer's tests compare against.

setup_kernel() {
  local kernel_dir=$root/.tools/kernel
  if [[ -n ${WINDOWSCONTAINERS_KERNEL:-} ]]; then
    [[ -f $WINDOWSCONTAINERS_KERNEL ]] || die "WINDOWSCONTAINERS_KERNEL=$WINDOWSCONTAINERS_KERNEL is not a file. Unset it to use a kernel from Debian's linux-image-amd64."
    return 0
  fi

  if ! command -v cpio >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing cpio (the initramfs writer's tests compare against it)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends cpio >/dev/null 2>&1 \
      || say "could not install cpio; the initramfs tests will say so"
  fi

  [[ -s $kernel_dir/vmlinuz && -s $kernel_dir/version ]] && return 0
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
    || { say "no apt-get/dpkg-deb here: set WINDOWSCONTAINERS_KERNEL to a bzImage for the utility VMs"; return 0; }

  # linux-image-amd64 is a metapackage; the real image is its dependency.
  local package
  package=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1)
  if [[ -z $package ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || true
    package=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1)
  fi
  [[ -n $package ]] || die "cannot resolve the kernel package behind linux-image-amd64 (apt-cache depends linux-image-amd64). Set WINDOWSCONTAINERS_KERNEL to a kernel image instead."

  say "fetching the utility-VM kernel from $package (apt-get download; not installed into /boot)"
  local work
  work=$(mktemp -d)
  # apt-get download writes into the current directory; _apt needs to read it.
  chmod 755 "$work"
  if ! (cd "$work" && apt-get download -q "$package" >/dev/null 2>"$work/apt.err"); then
    local reason
    reason=$(tail -n 3 "$work/apt.err")
    rm -rf "$work"
    die "apt-get download $package failed: $reason"
  fi
  local deb
  deb=$(ls "$work"/*.deb | head -n1)
  mkdir -p "$work/x"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" --wildcards './boot/vmlinuz-*'
  local vmlinuz
  vmlinuz=$(ls "$work"/x/boot/vmlinuz-* 2>/dev/null | head -n1)
  if [[ -z $vmlinuz ]]; then
    rm -rf "$work"
    die "$deb holds no /boot/vmlinuz-*"
  fi
  mkdir -p "$kernel_dir"
  # Write the version last: its presence marks a complete step.
  rm -f "$kernel_dir/version"
  cp "$vmlinuz" "$kernel_dir/vmlinuz.tmp" && mv "$kernel_dir/vmlinuz.tmp" "$kernel_dir/vmlinuz"
  printf '%s %s\n' "${vmlinuz##*/vmlinuz-}" "$(dpkg-deb -f "$deb" Version)" >"$kernel_dir/version"
  rm -rf "$work"
  say "kernel ${vmlinuz##*/vmlinuz-} at .tools/kernel/vmlinuz"
}
setup_kernel
unset -f setup_kernel
