#!/usr/bin/env bash
# Veil's only door: installs what is missing, builds once (incrementally after that), then runs a verb.
#   ./run.sh test [dotnet test args...]     the whole test suite (what CI runs)
#   ./run.sh privacy|bench|... [args...]    any verb of the `veil` command line
#   ./run.sh help                           the verbs
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"
BUILD_DIR="$ROOT/.build"
CONFIGURATION=${VEIL_CONFIGURATION:-Release}
VEIL_DLL="$ROOT/src/Actors/bin/$CONFIGURATION/net10.0/veil.dll"
mkdir -p "$BUILD_DIR"

say() { echo "run.sh: $*" >&2; }
die() { echo "run.sh: $*" >&2; exit 2; }

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is not installed (no 'dotnet' on PATH).
  Install Microsoft's package dotnet-sdk-10.0 (Debian: add Microsoft's package repository, then
  'apt-get install dotnet-sdk-10.0'), or put an SDK's folder on PATH, then run this again."
  local major
  major=$(dotnet --version 2>/dev/null | cut -d. -f1)
  [[ "$major" =~ ^[0-9]+$ && "$major" -ge 10 ]] || die "Veil needs the .NET SDK 10 or newer; 'dotnet --version' says '$(dotnet --version 2>&1 | head -1)'."
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# Debian packages some verbs need; installed only when missing, with one 'apt-get update' per run.
APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and no apt-get to install them; install them by hand."
  say "installing ${missing[*]} with apt-get"
  if [[ $APT_UPDATED -eq 0 ]]; then $sudo apt-get update -qq >&2 || die "'apt-get update' failed"; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 || die "'apt-get install ${missing[*]}' failed"
}

# Restore and build once; afterwards only when a source, project or config file is newer than the last build.
build() {
  local stamp="$BUILD_DIR/build-$CONFIGURATION.stamp"
  if [[ -f "$stamp" && -f "$VEIL_DLL" ]] && [[ -z $(find src tests samples hocon build Directory.Build.props Directory.Build.targets Veil.sln -newer "$stamp" \
        \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.conf' -o -name '*.sln' \) \
        -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null) ]]; then
    return 0
  fi
  say "building Veil ($CONFIGURATION)"
  if ! dotnet build "$ROOT/Veil.sln" -c "$CONFIGURATION" -nologo -v:minimal >"$BUILD_DIR/build.log" 2>&1; then
    grep -E 'error|Error' "$BUILD_DIR/build.log" | sort -u | head -30 >&2
    die "build failed (full log: $BUILD_DIR/build.log)"
  fi
  touch "$stamp"
}

# Each test project writes its own TRX (named after the project, so results never overwrite each other).
run_tests() {
  local results="$BUILD_DIR/test-results" rc=0 project name
  rm -rf "$results"
  for project in "$ROOT"/tests/*/*.Tests.csproj; do
    name=$(basename "$project" .csproj)
    dotnet test "$project" -c "$CONFIGURATION" --no-build --results-directory "$results" \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" "$@" || rc=$?
  done
  return $rc
}

verb=${1:-help}
[[ $# -gt 0 ]] && shift
case "$verb" in
  help|-h|--help)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    require_dotnet; build
    dotnet "$VEIL_DLL" --help ;;
  test)
    # The real-data tests need Fashion-MNIST; without it they are reported as skipped, not passed.
    # The PostgreSQL ledger tests start their own throw-away server (initdb into a temp folder, a free
    # port on 127.0.0.1), so only the server programs are needed; a cluster the package may start on
    # 5432 is neither used nor disturbed. Without them those tests fail, saying how to install them.
    apt_install dataset-fashion-mnist postgresql
    require_dotnet; build
    run_tests "$@" ;;
  demo|train|bench|node|pretrain)
    # Fashion-MNIST is the embedded default dataset (Veil.DataLoading looks in /usr/share/datasets/fashion-mnist).
    apt_install dataset-fashion-mnist
    require_dotnet; build
    exec dotnet "$VEIL_DLL" "$verb" "$@" ;;
  privacy)
    # `privacy audit` trains on Fashion-MNIST (with canaries); the accounting verbs need no data.
    [[ "${1:-}" == audit ]] && apt_install dataset-fashion-mnist
    require_dotnet; build
    exec dotnet "$VEIL_DLL" "$verb" "$@" ;;
  *)
    require_dotnet; build
    exec dotnet "$VEIL_DLL" "$verb" "$@" ;;
esac
