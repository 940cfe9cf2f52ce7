#!/usr/bin/env bash
# Brings a fresh machine (or a fresh clone) to the point where the demo and
# the tests run, and does nothing that is already done. Both README commands
# call it. Every step says what it is doing on stderr.
#   --minimal-kernel   also build the minimal guest kernel (minutes, once per
#                      fragment) and fetch the generic one: `npm test` and
#                      `npm run bench` ask for it, `npm run demo` does not.
set -euo pipefail
setup_minimal_kernel_wanted=0
for arg in "$@"; do
  case $arg in
    --minimal-kernel) setup_minimal_kernel_wanted=1 ;;
    *) printf '[setup] error: unknown option %s (known: --minimal-kernel)\n' "$arg" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
root=$PWD
say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# --- Node.js ---------------------------------------------------------------
command -v node >/dev/null || die "node is not on PATH. Install Node.js 20.11 or later (Debian: apt-get install nodejs npm, or nodesource)."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=11)?0:1)' \
  || die "node $(node --version) is too old: WindowsContainers needs Node.js 20.11 or later."

# --- Debian packages the backends and tests use ------------------------------
# command name -> package that provides it
declare -A apt_for=(
  [runc]=runc
  [busybox]=busybox-static
  [qemu-system-x86_64]=qemu-system-x86
  [dockerd]=docker.io
  [runsc]=runsc
  [ip]=iproute2
  [cc]=gcc
)
missing=()
for cmd in "${!apt_for[@]}"; do
  command -v "$cmd" >/dev/null || missing+=("${apt_for[$cmd]}")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    say "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
  elif command -v apt-get >/dev/null; then
    say "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing packages: ${missing[*]} (no apt-get here: install them with your package manager)"
  fi
fi

# --- npm dependencies, exactly as locked -------------------------------------
stamp=node_modules/.package-lock.stamp
if [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json "$stamp"
fi

# --- PowerShell (a .NET local tool) and Pester (from NuGet) --------------------
command -v dotnet >/dev/null || die "dotnet is not on PATH. Install the .NET SDK 10 (Debian: packages.microsoft.com, or dotnet-install); PowerShell comes from it as a local tool."
if ! dotnet pwsh -NoProfile -NonInteractive -Command 'exit 0' >/dev/null 2>&1; then
  say "restoring PowerShell 7.6.9 (dotnet tool restore)"
  dotnet tool restore >&2
fi
# Every Pester version listed (Version="[5.7.1];[6.2.0]"): the tests run under
# the first, and the operator tests again under each other one.
pester_versions=$(sed -n 's/.*Include="Pester" Version="\([^"]*\)".*/\1/p' build/nuget/tools.csproj | tr -d '[]' | tr ';' ' ')
for pester_version in $pester_versions; do
  if [[ ! -f .tools/nuget/pester/$pester_version/tools/Pester.psd1 ]]; then
    say "restoring Pester $pester_versions from NuGet"
    dotnet restore build/nuget/tools.csproj --packages .tools/nuget >&2
    break
  fi
done

# --- the core bundle ------------------------------------------------------------
bundle=dist/windowscontainers-core.cjs
if [[ ! -f $bundle ]] || [[ -n $(find ts-core/src package-lock.json build/bundle.mjs -newer "$bundle" -print -quit) ]]; then
  say "bundling the core ($bundle)"
  node build/bundle.mjs
fi

# --- further steps (images, kernel) live in build/setup.d ----------------------
for step in build/setup.d/*.sh; do
  [[ -e $step ]] || continue
  # shellcheck disable=SC1090
  source "$step"
done
say "ready"
