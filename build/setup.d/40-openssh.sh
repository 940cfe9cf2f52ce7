# Sourced by build/setup.sh. The remoting tests (tests/pester/Remoting.SSH.Tests.ps1)
# run PowerShell remoting over SSH against a private sshd they start on a
# loopback port with their own keys; this installs the server binary for them.
# The package's own service must not start (it would listen on port 22 on every
# interface): a policy-rc.d that refuses service starts is in place during the
# install, unless the machine already has one.
setup_openssh() {
  [[ -x /usr/sbin/sshd ]] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    say "openssh-server is not installed: the SSH remoting tests need it (apt-get install openssh-server)"
    return 0
  fi
  say "installing openssh-server for the SSH remoting tests (its service is not started)"
  local policy=/usr/sbin/policy-rc.d placed=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# Placed by build/setup.d/40-openssh.sh while openssh-server installs.\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    placed=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server openssh-client >/dev/null 2>&1 || rc=$?
  if ((rc != 0)); then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server openssh-client >/dev/null 2>&1 || rc=$?
  fi
  ((placed)) && rm -f "$policy"
  ((rc == 0)) || die "could not install openssh-server (apt-get install openssh-server); the SSH remoting tests need it"
}
setup_openssh
