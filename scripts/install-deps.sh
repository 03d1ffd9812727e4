#!/usr/bin/env bash
# Installs upcamp's build, test and benchmark dependencies from Debian's package archive.
# Idempotent: packages already present are skipped, and apt-get is not touched at all when
# nothing is missing.  Usage: scripts/install-deps.sh [--bench] [--browser]
#   --bench    also the benchmark tools (hyperfine, GNU time, bc)
#   --browser  also headless Chromium for the HTML report checks
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev
  libsqlite3-dev libzstd-dev zlib1g-dev libxxhash-dev libfast-float-dev
  libxgboost-dev libssl-dev
  python3 python3-pandas python3-numpy   # the pandas parity tests of the feature library
)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(hyperfine time bc) ;;
    --browser) packages+=(chromium) ;;
    *) echo "install-deps.sh: unknown option '$arg' (known: --bench --browser)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
