#!/usr/bin/env bash
# The ABI check: compares the library being built now with the 1.x baseline
# in abi/ (see abi/README.md for the policy). Fails when
#   - the SONAME is not libtoonstore.so.<crate major>;
#   - a symbol of abi/symbols.txt is missing, or changed kind;
#   - any symbol other than toonstore_* and abi_stable's loader is exported;
#   - abi/layout_check.c (sizes, offsets, field and function types, constants
#     of 1.0) does not compile against the current include/toonstore.h;
#   - the frozen 1.0 header was edited;
#   - a program built against the frozen 1.0 header does not build, link to
#     libtoonstore.so.1, or run correctly against the current library.
# Ends with `N passed, M failed`.
#
#   tests/abi/check_abi.sh             # cargo build --release --lib, then check target/release
#   tests/abi/check_abi.sh --no-build  # check what is in target/release
#   tests/abi/check_abi.sh --lib PATH  # check another libtoonstore.so (e.g. an installed one)
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
abi="$root/abi"
build=1
lib=""
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0; shift ;;
        --lib) lib="$2"; build=0; shift 2 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "check_abi.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
CC="${CC:-gcc}"
LOADER_SYMBOL="_1as_0lib_1header_0root_bmodule_bloader"

work="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-abi.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ -z "$lib" ]; then
    target="${CARGO_TARGET_DIR:-$root/target}"
    case "$target" in /*) ;; *) target="$root/$target" ;; esac
    if [ "$build" = 1 ]; then
        (cd "$root" && nice cargo build --release --lib --quiet) || {
            echo "check_abi.sh: cargo build failed"; echo "0 passed, 1 failed"; exit 1; }
    fi
    lib="$target/release/libtoonstore.so"
fi
if [ ! -f "$lib" ]; then
    echo "check_abi.sh: $lib not found: run 'cargo build --release --lib' first"
    echo "0 passed, 1 failed"
    exit 1
fi
# A private copy with the SONAME link, as an installed library would have.
mkdir -p "$work/lib"
cp "$lib" "$work/lib/libtoonstore.so"
ln -s libtoonstore.so "$work/lib/libtoonstore.so.1"
so="$work/lib/libtoonstore.so"

pass=0
fail=0
# check NAME COMMAND...: runs the command, prints its output on failure.
check() {
    local name="$1"
    shift
    if out="$("$@" 2>&1)"; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name"
        printf '%s\n' "$out" | sed 's/^/     /' | head -n 40
    fi
}

# --- SONAME -----------------------------------------------------------------
soname_is_major() {
    local major soname
    major="$(sed -n 's/^version[[:space:]]*=[[:space:]]*"\([0-9]*\)\..*/\1/p' "$root/Cargo.toml" | head -n 1)"
    soname="$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')"
    echo "SONAME: ${soname:-none}; crate major: $major"
    [ -n "$major" ] && [ "$soname" = "libtoonstore.so.$major" ] && [ "$soname" = "libtoonstore.so.1" ]
}
check "SONAME is libtoonstore.so.1 (= crate major version)" soname_is_major

# --- exported symbols ---------------------------------------------------------
nm -D --defined-only "$so" | awk '{print $2, $3}' | LC_ALL=C sort -k2 >"$work/exports"
awk '{print $2}' "$work/exports" >"$work/names"

baseline_symbols_present() {
    local missing
    missing="$(LC_ALL=C comm -23 <(grep -v '^#' "$abi/symbols.txt" | LC_ALL=C sort) "$work/names")"
    if [ -n "$missing" ]; then
        echo "missing from the library (removed symbols break every program using them):"
        echo "$missing"
        return 1
    fi
    echo "all $(grep -vc '^#' "$abi/symbols.txt") baseline symbols exported"
}
check "every symbol of abi/symbols.txt is still exported" baseline_symbols_present

only_toonstore_symbols() {
    local foreign
    foreign="$(grep -v -e '^toonstore_' -e "^$LOADER_SYMBOL\$" "$work/names")"
    if [ -n "$foreign" ]; then
        echo "exported symbols outside the toonstore_ namespace:"
        echo "$foreign"
        return 1
    fi
}
check "only toonstore_* (and abi_stable's loader) are exported" only_toonstore_symbols

symbol_kinds() {
    # Functions stay functions (T); the abi_stable loader is data (D/B/R).
    local bad
    bad="$(awk -v loader="$LOADER_SYMBOL" '
        $2 ~ /^toonstore_/ && $1 != "T" { print "not a function:", $2, $1 }
        $2 == loader && $1 !~ /^[DBR]$/ { print "loader is not data:", $2, $1 }' "$work/exports")"
    [ -z "$bad" ] || { echo "$bad"; return 1; }
    grep -qx "$LOADER_SYMBOL" "$work/names" || { echo "abi_stable loader symbol missing"; return 1; }
}
check "symbol kinds unchanged (functions, one loader data symbol)" symbol_kinds

new_symbols="$(LC_ALL=C comm -13 <(grep -v '^#' "$abi/symbols.txt" | LC_ALL=C sort) "$work/names")"
if [ -n "$new_symbols" ]; then
    echo "note: exported but not in abi/symbols.txt (add them when they are released):"
    echo "$new_symbols" | sed 's/^/     /'
fi

# --- the frozen header and the layout baseline ---------------------------------
frozen_header_unchanged() {
    (cd "$abi" && sha256sum -c SHA256SUMS)
}
check "abi/toonstore-1.0.h is unchanged (abi/SHA256SUMS)" frozen_header_unchanged

check "abi/layout_check.c compiles against include/toonstore.h (C11, -Werror)" \
    "$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$root/include" -c "$abi/layout_check.c" -o "$work/layout_check.o"

check "abi/layout_check.c also holds for the frozen 1.0 header itself" \
    bash -c "mkdir -p '$work/inc10' && cp '$abi/toonstore-1.0.h' '$work/inc10/toonstore.h' &&
             '$CC' -std=c11 -Wall -Wextra -Wpedantic -Werror -I'$work/inc10' -c '$abi/layout_check.c' -o /dev/null"

# --- a program built against the 1.0 header, run against this library -----------
check "old-header program builds against abi/toonstore-1.0.h (C99, -Werror)" \
    "$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror -I"$work/inc10" "$here/old_header_program.c" \
    -L"$work/lib" -ltoonstore -Wl,-rpath,"$work/lib" -o "$work/old_header_program"

needs_soname() {
    readelf -d "$work/old_header_program" | grep -F 'Shared library: [libtoonstore.so.1]'
}
check "old-header program records NEEDED libtoonstore.so.1" needs_soname

check "old-header program runs against the current library" \
    "$work/old_header_program" "$work/db-old-header"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
