#!/usr/bin/env bash
# The csharp suite: builds the ToonStore assembly with Mono and runs its NUnit
# tests through the console runner, then the quick start program.
#
#   1. installs Debian's mono-devel (mcs, Mono.Cecil), nunit-console and
#      libnunit-cil-dev when missing (apt-get update once; root or sudo);
#   2. builds libtoonstore (cargo build --release --lib at the repository
#      root; a no-op when target/release/libtoonstore.so is up to date);
#   3. compiles, into target/csharp/:
#        lib/ToonStore.dll (+ ToonStore.xml, the API reference) next to
#          libtoonstore.so: the package layout of one platform;
#        tests/ToonStore.Tests.dll, tests/ToonStore.TestChild.exe (the other
#          process of the lock and kill -9 tests), tests/ToonStore.Conformance.dll
#          (the conformance runner, run by scripts/conformance.sh);
#        quickstart/QuickStart.exe (examples/QuickStart.cs, the docs' quick start);
#   4. runs the tests with nunit-console, then QuickStart.exe and compares
#      its output.
#
# mcs is Mono's C# 7 compiler: -langversion:experimental enables the C# 7.3
# `fixed (byte* p = span)`; tools/FixTupleNames.cs repairs the tuple element
# names mcs writes (see that file).
#
# Environment: SKIP_APT=1, BUILD_ONLY=1 (stop after compiling; the conformance
# runner and the benchmark use it), NUNIT_ARGS (e.g. "-run=ToonStore.Tests.ApiTests").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
log() { printf '==> %s\n' "$*" >&2; }

# ------------------------------------------------------------ packages
need=()
command -v mcs >/dev/null || need+=(mono-devel)
command -v nunit-console >/dev/null || need+=(nunit-console)
dpkg -s libnunit-cil-dev >/dev/null 2>&1 || need+=(libnunit-cil-dev)
if [ "${#need[@]}" -gt 0 ] && [ "${SKIP_APT:-0}" != 1 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    waited=0
    while pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1; do
        [ $waited -eq 0 ] && log "waiting for another apt-get/dpkg to finish"
        sleep 5
        waited=$((waited + 5))
        [ $waited -gt 900 ] && { log "apt-get still busy after 15 min"; exit 1; }
    done
    log "installing ${need[*]} (Debian)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# ------------------------------------------------------------ library
cd "$root"
log "cargo build --release --lib"
nice -n 10 cargo build --release --lib
lib="$root/target/release/libtoonstore.so"
[ -f "$lib" ] || { log "missing $lib"; exit 1; }

# ------------------------------------------------------------ assemblies
out="$root/target/csharp"
rm -rf "$out"
mkdir -p "$out/lib" "$out/tests" "$out/quickstart" "$out/tools"
nunit=$(ls /usr/lib/cli/nunit.framework-2.6*/nunit.framework.dll | head -1)
cecil=$(ls /usr/lib/mono/gac/Mono.Cecil/0.11*/Mono.Cecil.dll | head -1)
mcs_() { nice -n 10 mcs -nologo -langversion:experimental -warnaserror "$@"; }

log "mcs tools/FixTupleNames.cs"
mcs_ -out:"$out/tools/FixTupleNames.exe" -r:"$cecil" -r:System.Core "$here/tools/FixTupleNames.cs"
log "mcs src/ToonStore/*.cs -> lib/ToonStore.dll"
mcs_ -target:library -unsafe -optimize+ -doc:"$out/lib/ToonStore.xml" \
    -out:"$out/lib/ToonStore.dll" "$here"/src/ToonStore/*.cs
mono "$out/tools/FixTupleNames.exe" "$out/lib/ToonStore.dll"
cp "$lib" "$out/lib/libtoonstore.so"

log "mcs tests, child, conformance runner, quick start"
mcs_ -target:library -debug -r:"$out/lib/ToonStore.dll" -r:"$nunit" -r:System.Core \
    -out:"$out/tests/ToonStore.Tests.dll" "$here"/tests/*.cs
mcs_ -debug -r:"$out/lib/ToonStore.dll" -out:"$out/tests/ToonStore.TestChild.exe" "$here/tests/Child/Child.cs"
mcs_ -target:library -debug -r:"$out/lib/ToonStore.dll" -r:"$nunit" -r:System.Json -r:System.Core \
    -out:"$out/tests/ToonStore.Conformance.dll" "$here/conformance/Conformance.cs"
mcs_ -r:"$out/lib/ToonStore.dll" -out:"$out/quickstart/QuickStart.exe" "$here/examples/QuickStart.cs"
# Each program finds ToonStore.dll and libtoonstore.so in its own directory,
# as an application that ships the package does.
for d in tests quickstart; do cp "$out/lib/ToonStore.dll" "$out/lib/libtoonstore.so" "$out/$d/"; done
cp "$nunit" "$out/tests/"

[ "${BUILD_ONLY:-0}" = 1 ] && exit 0

# ------------------------------------------------------------ tests
log "nunit-console ToonStore.Tests.dll"
cd "$out/tests"
export TOONSTORE_TEST_ROOT="$root"
export TOONSTORE_TEST_CHILD="$out/tests/ToonStore.TestChild.exe"
# shellcheck disable=SC2086
nice -n 10 nunit-console -nologo -labels -noresult ${NUNIT_ARGS:-} ToonStore.Tests.dll

log "quick start (examples/QuickStart.cs)"
qs_dir=$(mktemp -d "${TMPDIR:-/tmp}/toonstore-cs-quickstart.XXXXXX")
trap 'rm -rf "$qs_dir"' EXIT
cd /
got=$(mono "$out/quickstart/QuickStart.exe" "$qs_dir/db")
want='row 0: hello
batch: first id 2
1 = world
2 = a
3 = b
live rows: 3
TOONSTORE_ERR_READ_ONLY (ReadOnly)'
if [ "$got" != "$want" ]; then
    printf 'quick start output differs:\n%s\n--- expected:\n%s\n' "$got" "$want" >&2
    exit 1
fi
echo "quick start: ok"
