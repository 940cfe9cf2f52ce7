# Sourced by build/setup.sh. Puts Linux kernels for the utility VMs of the
# linux backend's Hyper-V-class isolation into the kernels directory,
# ${WINDOWSCONTAINERS_KERNEL_DIR:-/var/lib/windowscontainers/kernels}, where the
# core looks whether it runs from a checkout or an installed module:
#   cloud/vmlinuz    Debian's linux-image-cloud-amd64 (always; seconds)
#   generic/vmlinuz  Debian's linux-image-amd64 (with --minimal-kernel, i.e. for
#                    the tests and benchmarks; or when the cloud one cannot be had)
#   minimal/vmlinux  built by 40-minimal-kernel.sh (with --minimal-kernel)
# each with a one-line `version` file written last. The images come from
# `apt-get download` and are never installed into /boot: the host's own boot
# set-up is none of our business, and these kernels have the 8250 serial
# driver built in, so the VM needs no modules. The core uses the best one
# present: minimal, then cloud, then generic.
# WINDOWSCONTAINERS_KERNEL points the core at another kernel and skips the downloads.
# Also installs cpio, which the initramfs writer's tests compare against.

kernels_dir=${WINDOWSCONTAINERS_KERNEL_DIR:-/var/lib/windowscontainers/kernels}

# install_kernel_files <flavour> <source file> <file name> <version line>
install_kernel_files() {
  local dest=$kernels_dir/$1
  mkdir -p "$dest"
  # Write the version last: its presence marks a complete install.
  rm -f "$dest/version"
  cp "$2" "$dest/$3.tmp" && mv "$dest/$3.tmp" "$dest/$3"
  printf '%s\n' "$4" >"$dest/version.tmp" && mv "$dest/version.tmp" "$dest/version"
}

# fetch_debian_kernel <flavour> <metapackage> <pattern of the real package>
fetch_debian_kernel() {
  local flavour=$1 meta=$2 pattern=$3
  [[ -s $kernels_dir/$flavour/vmlinuz && -s $kernels_dir/$flavour/version ]] && return 0
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
    || { say "no apt-get/dpkg-deb here: set WINDOWSCONTAINERS_KERNEL to a kernel for the utility VMs"; return 1; }
  # The metapackage only depends on the real image package.
  local package
  package=$(apt-cache depends "$meta" 2>/dev/null | sed -n "s/^ *Depends: \\($pattern\\)\$/\\1/p" | head -n1)
  if [[ -z $package ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
    package=$(apt-cache depends "$meta" 2>/dev/null | sed -n "s/^ *Depends: \\($pattern\\)\$/\\1/p" | head -n1)
  fi
  [[ -n $package ]] || { say "cannot resolve the kernel package behind $meta (apt-cache depends $meta)"; return 1; }

  local started=$SECONDS
  say "fetching the $flavour utility-VM kernel from $package (apt-get download; not installed into /boot)"
  local work
  work=$(mktemp -d)
  # apt-get download writes into the current directory; _apt needs to read it.
  chmod 755 "$work"
  if ! (cd "$work" && apt-get download -q "$package" >/dev/null 2>"$work/apt.err"); then
    say "apt-get download $package failed: $(tail -n 3 "$work/apt.err")"
    rm -rf "$work"
    return 1
  fi
  local deb vmlinuz
  deb=$(ls "$work"/*.deb | head -n1)
  mkdir -p "$work/x"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" --wildcards './boot/vmlinuz-*'
  vmlinuz=$(ls "$work"/x/boot/vmlinuz-* 2>/dev/null | head -n1)
  if [[ -z $vmlinuz ]]; then
    say "$deb holds no /boot/vmlinuz-*"
    rm -rf "$work"
    return 1
  fi
  install_kernel_files "$flavour" "$vmlinuz" vmlinuz "${vmlinuz##*/vmlinuz-} $(dpkg-deb -f "$deb" Version)"
  rm -rf "$work"
  say "$flavour kernel ${vmlinuz##*/vmlinuz-} at $kernels_dir/$flavour/vmlinuz ($((SECONDS - started)) s)"
}

setup_kernel() {
  if [[ -n ${WINDOWSCONTAINERS_KERNEL:-} ]]; then
    [[ -f $WINDOWSCONTAINERS_KERNEL ]] || die "WINDOWSCONTAINERS_KERNEL=$WINDOWSCONTAINERS_KERNEL is not a file. Unset it to use the kernels set-up installs in $kernels_dir."
    kernels_dir=
    return 0
  fi

  if ! command -v cpio >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing cpio (the initramfs writer's tests compare against it)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends cpio >/dev/null 2>&1 \
      || say "could not install cpio; the initramfs tests will say so"
  fi

  if ! mkdir -p "$kernels_dir" 2>/dev/null || [[ ! -w $kernels_dir ]]; then
    say "cannot write the kernels directory $kernels_dir (run set-up as root, or set WINDOWSCONTAINERS_KERNEL_DIR to a directory you own, for set-up and the core alike)"
    kernels_dir=
    return 0
  fi

  # A checkout set up before the kernels directory existed has Debian's generic kernel here: reuse it.
  if [[ ! -s $kernels_dir/generic/version && -s $root/.tools/kernel/vmlinuz && -s $root/.tools/kernel/version ]]; then
    install_kernel_files generic "$root/.tools/kernel/vmlinuz" vmlinuz "$(head -n1 "$root/.tools/kernel/version")"
    say "generic kernel: reused this checkout's .tools/kernel/vmlinuz (now at $kernels_dir/generic/vmlinuz)"
  fi

  local have_one=0
  if fetch_debian_kernel cloud linux-image-cloud-amd64 'linux-image-[0-9][^ ]*-cloud-amd64'; then have_one=1; fi
  # The generic kernel is the benchmarks' baseline and the last fallback; the demo needs it only without a cloud kernel.
  if [[ $setup_minimal_kernel_wanted == 1 || $have_one == 0 ]]; then
    if fetch_debian_kernel generic linux-image-amd64 'linux-image-[0-9][^ ]*-amd64'; then have_one=1; fi
  fi
  ((have_one)) || die "no kernel for the utility VMs could be fetched (see above). Set WINDOWSCONTAINERS_KERNEL to a kernel image instead."
}
setup_kernel
unset -f setup_kernel fetch_debian_kernel
