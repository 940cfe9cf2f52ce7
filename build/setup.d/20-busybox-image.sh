# Sourced by build/setup.sh. Builds the default `busybox` image from Debian's
# busybox-static (no registry, no network) as a rootfs tarball under
# .tools/images/, and imports it as image `busybox` into the default state
# directory. Tests import the same tarball into their private state dirs; the
# docker backend `docker import`s it.
busybox_tar=$root/.tools/images/busybox-rootfs.tar
busybox_bin=$(command -v busybox || true)
if [[ -z $busybox_bin ]]; then
  say "busybox-static is not installed: skipping the busybox image (apt-get install busybox-static)"
elif [[ ! -s $busybox_tar || $busybox_bin -nt $busybox_tar || $BASH_SOURCE -nt $busybox_tar ]]; then
  say "building the busybox rootfs tarball ($busybox_tar)"
  busybox_stage=$(mktemp -d)
  (
    set -euo pipefail
    cd "$busybox_stage"
    chmod 0755 .
    mkdir -p bin sbin usr/bin usr/sbin etc tmp root proc sys dev var/run home
    chmod 1777 tmp
    chmod 0700 root
    cp "$busybox_bin" bin/busybox
    # One absolute symlink per applet, where busybox says it lives (busybox --install -s style).
    while read -r applet; do
      [[ -z $applet || $applet == bin/busybox || -e $applet || -L $applet ]] && continue
      mkdir -p "$(dirname "$applet")"
      ln -s /bin/busybox "$applet"
    done < <(bin/busybox --list-full)
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > etc/passwd
    printf 'root:x:0:\nnogroup:x:65534:\n' > etc/group
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > etc/hosts
    printf 'hosts: files dns\n' > etc/nsswitch.conf
    mkdir -p "$(dirname "$busybox_tar")"
    tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$busybox_stage" -cf "$busybox_tar.tmp" .
    mv "$busybox_tar.tmp" "$busybox_tar"
  )
  rm -rf "$busybox_stage"
fi
if [[ -s $busybox_tar && $(id -u) -eq 0 && -z ${WINDOWSCONTAINERS_STATE_DIR:-} ]]; then
  if [[ ! -f /var/lib/windowscontainers/images/busybox/image.json ]]; then
    say "importing image 'busybox' into /var/lib/windowscontainers"
    if ! busybox_out=$(node "$root/dist/windowscontainers-core.cjs" image.import --json "{\"path\":\"$busybox_tar\",\"name\":\"busybox\"}" 2>&1); then
      say "warning: importing the busybox image failed: $busybox_out"
    fi
  fi
fi
